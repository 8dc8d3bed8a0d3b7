// dockerd's user resolution (libcontainer GetExecUser + moby getUser) against passwd/group texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveUser } from '../../src/runtime/users.js';
import { RuntimeError } from '../../src/runtime/types.js';

// As busybox's image has them: root is in wheel; nobody has no supplementary group.
const files = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n',
  group: 'root:x:0:\ndaemon:x:1:\nwheel:x:10:root\nstaff:x:50:daemon,root\nnogroup:x:65534:\n',
};

const refused = (message: string) => (err: unknown) => err instanceof RuntimeError && err.code === 'internal' && err.message === message;

test('no user is root, with its primary group first, then the groups /etc/group lists it in', () => {
  assert.deepEqual(resolveUser('', files), { uid: 0, gid: 0, additionalGids: [0, 10, 50] });
  assert.deepEqual(resolveUser('', {}), { uid: 0, gid: 0, additionalGids: [0] }, 'an image without /etc/passwd');
});

test('a numeric uid without a passwd entry gets gid 0; with uid:gid both are taken as given', () => {
  assert.deepEqual(resolveUser('1000', files), { uid: 1000, gid: 0, additionalGids: [0] });
  assert.deepEqual(resolveUser('1000:1000', files), { uid: 1000, gid: 1000, additionalGids: [1000] });
  assert.deepEqual(resolveUser('1000:1000', {}), { uid: 1000, gid: 1000, additionalGids: [1000] });
});

test('a name or a uid with an entry takes its primary group from passwd and supplementary groups from group', () => {
  assert.deepEqual(resolveUser('nobody', files), { uid: 65534, gid: 65534, additionalGids: [65534] });
  assert.deepEqual(resolveUser('1', files), { uid: 1, gid: 1, additionalGids: [1, 50] });
  assert.deepEqual(resolveUser('daemon:wheel', files), { uid: 1, gid: 10, additionalGids: [10] }, 'an explicit group drops the supplementary ones');
  assert.deepEqual(resolveUser('nobody:50', files), { uid: 65534, gid: 50, additionalGids: [50] });
});

test("names without an entry are refused with dockerd's messages", () => {
  assert.throws(() => resolveUser('alice', files), refused('unable to find user alice: no matching entries in passwd file'));
  assert.throws(() => resolveUser('alice', {}), refused('unable to find user alice: no matching entries in passwd file'));
  assert.throws(() => resolveUser('root:admins', files), refused('unable to find group admins: no matching entries in group file'));
  assert.throws(() => resolveUser('4294967296', files), refused('uids and gids must be in range 0-2147483647'));
});

test('--group-add adds groups by name or gid from /etc/group, or any gid in range, each once, after the user\'s own', () => {
  assert.deepEqual(resolveUser('nobody', files, ['wheel', '50', '4242', '10']), { uid: 65534, gid: 65534, additionalGids: [65534, 10, 50, 4242] });
  assert.deepEqual(resolveUser('', files, ['daemon']), { uid: 0, gid: 0, additionalGids: [0, 10, 50, 1] });
  assert.deepEqual(resolveUser('1000:1000', {}, ['7']), { uid: 1000, gid: 1000, additionalGids: [1000, 7] }, 'an image without /etc/group takes numbers');
  assert.throws(() => resolveUser('nobody', files, ['nosuch']), refused('Unable to find group nosuch: no matching entries in group file'));
  assert.throws(() => resolveUser('nobody', files, ['-1']), refused('uids and gids must be in range 0-2147483647'));
  assert.throws(() => resolveUser('nobody', files, ['2147483648']), refused('uids and gids must be in range 0-2147483647'));
});
