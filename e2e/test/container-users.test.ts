// Non-root users with the real docker CLI (issue 16 item 3): `--user 1000:1000` without --workdir
// used to fail every task with exit 126, because the container's `/` was the daemon's 0700 directory.
// A container's files carry the modes and owners of the image; `/` is 0755, /tmp 1777, the working
// directory defaults to `/`, a missing --workdir is made 0755 as dockerd makes it, users are looked
// up in the container's /etc/passwd and /etc/group, and exec runs as the container's user or the one
// it names; --group-add adds groups by name or gid (issue 17 item 6), for execs too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, dockerOk, formSwarm, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { writeBusyboxSaveTar } from '../src/test-image.js';

async function loadBusybox(host: HostLayout): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-users-'));
  try {
    writeBusyboxSaveTar(join(dir, 'busybox.tar'), 'busybox:latest');
    await dockerOk(host, ['load', '-i', join(dir, 'busybox.tar')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What uid 1000 sees and may do in a busybox container; every line's expected value is Docker's. */
const PROBE = [
  'pwd',
  'stat -c "%a %u:%g %n" / /tmp /etc /etc/passwd /etc/hosts /etc/resolv.conf /etc/hostname /bin/busybox',
  'cat /etc/passwd /etc/hosts /etc/resolv.conf >/dev/null && echo read /etc',
  'echo hi >/tmp/file && mkdir /tmp/dir && stat -c "%a %u:%g %n" /tmp/file /tmp/dir',
  'touch /forbidden 2>&1',
  'ls /root 2>&1',
  'exit 0',
].join('; ');

const PROBE_OUTPUT = [
  '/',
  '755 0:0 /',
  '1777 0:0 /tmp',
  '755 0:0 /etc',
  '644 0:0 /etc/passwd',
  '644 0:0 /etc/hosts',
  '644 0:0 /etc/resolv.conf',
  '644 0:0 /etc/hostname',
  '755 0:0 /bin/busybox',
  'read /etc',
  '644 1000:1000 /tmp/file',
  '755 1000:1000 /tmp/dir',
  'touch: /forbidden: Permission denied',
  "ls: can't open '/root': Permission denied",
  '',
].join('\n');

test('docker run and exec --user 1000:1000: the image modes hold, / is the default working directory, exec runs as the user', async (t) => {
  const cluster = await withCluster(t, { managers: 1 });
  const host = cluster.hosts[0]!;
  await loadBusybox(host);

  assert.equal(await dockerOk(host, ['run', '--rm', '--user', '1000:1000', 'busybox', 'id']), 'uid=1000 gid=1000 groups=1000\n');
  assert.equal(await dockerOk(host, ['run', '--rm', '--user', '1000:1000', 'busybox', 'sh', '-c', PROBE]), PROBE_OUTPUT);
  assert.equal(
    await dockerOk(host, ['run', '--rm', '--user', '1000:1000', '--workdir', '/app/data', 'busybox', 'sh', '-c', 'pwd; stat -c "%a %u:%g %n" /app /app/data']),
    '/app/data\n755 0:0 /app\n755 0:0 /app/data\n',
    'a missing working directory is made as dockerd makes it, whatever the umask of shoald',
  );

  assert.equal(await dockerOk(host, ['run', '--rm', '--user', 'nobody', 'busybox', 'id']), 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n', "a name from the image's /etc/passwd");
  const unknown = await docker(host, ['run', '--rm', '--user', 'alice', 'busybox', 'id']);
  assert.equal(unknown.code, 125);
  assert.match(unknown.stderr, /Error response from daemon: unable to find user alice: no matching entries in passwd file/);
  assert.equal(await dockerOk(host, ['ps', '-aq']), '', 'the container whose start failed went with --rm');

  // --group-add: names from the image's /etc/group and bare gids, for the process and for execs.
  assert.equal(await dockerOk(host, ['run', '--rm', '--user', 'nobody', '--group-add', 'root', '--group-add', '4242', 'busybox', 'id']), 'uid=65534(nobody) gid=65534(nogroup) groups=0(root),4242,65534(nogroup)\n');
  const noGroup = await docker(host, ['run', '--rm', '--group-add', 'nosuch', 'busybox', 'id']);
  assert.equal(noGroup.code, 125);
  assert.match(noGroup.stderr, /Error response from daemon: Unable to find group nosuch: no matching entries in group file/);
  assert.equal(await dockerOk(host, ['ps', '-aq']), '');

  try {
    await dockerOk(host, ['run', '-d', '--name', 'as-user', '--user', '1000:1000', 'busybox', 'sleep', '300']);
    assert.equal(await dockerOk(host, ['exec', 'as-user', 'id']), 'uid=1000 gid=1000 groups=1000\n', "exec runs as the container's user");
    assert.equal(
      await dockerOk(host, ['exec', '--user', '1000', 'as-user', 'sh', '-c', 'id; pwd; ls / >/dev/null && echo listed']),
      'uid=1000 gid=0(root) groups=0(root)\n/\nlisted\n',
      'a uid without a passwd entry gets gid 0, as in Docker',
    );
    assert.equal(await dockerOk(host, ['exec', '--user', '0', 'as-user', 'id', '-u']), '0\n', 'exec --user overrides it');
    await dockerOk(host, ['run', '-d', '--name', 'grouped', '--group-add', '4242', 'busybox', 'sleep', '300']);
    assert.equal(await dockerOk(host, ['exec', 'grouped', 'id', '-G']), '0 4242\n', 'an exec gets the added groups too');
    assert.equal(await dockerOk(host, ['inspect', '--format', '{{json .HostConfig.GroupAdd}}', 'grouped']), '["4242"]\n');
    const unknownExec = await docker(host, ['exec', '--user', 'alice', 'as-user', 'id']);
    assert.deepEqual(
      [unknownExec.code, unknownExec.stdout],
      [126, 'unable to find user alice: no matching entries in passwd file\r\n'],
      "dockerd reports an exec that could not start on its stream, with exit code 126",
    );
  } finally {
    await docker(host, ['rm', '-f', 'as-user', 'grouped']);
  }
});

test('service create --user 1000:1000 without --workdir: the task reaches Running and its process runs as uid 1000', async (t) => {
  const cluster = await withCluster(t, { managers: 1 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const host = cluster.hosts[0]!;
  await loadBusybox(host);

  const script = 'id; pwd; echo hi >/tmp/file && echo wrote /tmp; exec sleep 300';
  await dockerOk(host, ['service', 'create', '--detach', '--name', 'asuser', '--user', '1000:1000', '--stop-grace-period', '1s', '--no-resolve-image', 'busybox:latest', 'sh', '-c', script]);
  try {
    const states = await waitFor('the task Running', async () => {
      const rows = (await dockerOk(host, ['service', 'ps', '--format', '{{.CurrentState}}|{{.Error}}', 'asuser'])).trim().split('\n');
      return rows.some((r) => r.startsWith('Running')) ? rows : undefined;
    }, { timeoutMs: 30_000 });
    assert.equal(states.length, 1, `one task, none failed before it: ${states.join(', ')}`);

    const logs = await waitFor('the task output', async () => {
      const out = await dockerOk(host, ['service', 'logs', '--raw', 'asuser']);
      return out.includes('wrote') ? out : undefined;
    }, { timeoutMs: 15_000 });
    assert.equal(logs, 'uid=1000 gid=1000 groups=1000\n/\nwrote /tmp\n');

    const container = (await dockerOk(host, ['ps', '-q', '--filter', 'name=asuser.1.'])).trim();
    assert.match(container, /^[0-9a-f]{12}$/);
    assert.equal(await dockerOk(host, ['exec', container, 'id', '-u']), '1000\n', "exec runs as the service's user");
  } finally {
    await docker(host, ['service', 'rm', 'asuser']);
  }
});
