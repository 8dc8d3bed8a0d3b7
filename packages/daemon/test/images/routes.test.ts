import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageStore, type ImageUsers } from '@shoal/agent';
import { createEngineApi } from '../../src/api/index.js';
import { imageRoutes } from '../../src/images/index.js';
import { send, targetOf, testSystem, type Target } from '../api/helpers.js';

/** An API serving a fresh image store, and a one-file root filesystem tar (root.tar) to import. */
async function imageApi(t: TestContext, users: ImageUsers): Promise<{ dir: string; target: Target }> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-image-routes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'src/bin'), { recursive: true });
  writeFileSync(join(dir, 'src/bin/hello'), 'hi');
  execFileSync('tar', ['-c', '-f', join(dir, 'root.tar'), '-C', join(dir, 'src'), '.']);
  const store = await ImageStore.open(join(dir, 'images'));
  const server = await createEngineApi({ system: testSystem(), routes: [imageRoutes(store, users, { insecureRegistries: [], certsDir: join(dir, 'certs.d') })] }).listen({ kind: 'tcp', port: 0 });
  t.after(() => server.close());
  return { dir, target: targetOf(server.address) };
}

test('import (fromSrc=-) streams the new ID; ls, inspect and rm follow; an image in use is refused', async (t) => {
  let users: { id: string; running: boolean }[] = [{ id: 'c'.repeat(64), running: true }];
  const { dir, target } = await imageApi(t, () => users);

  const imported = await send(target, 'POST', '/v1.41/images/create?fromSrc=-&repo=docker.io%2Flibrary%2Fdemo&tag=v1', { body: readFileSync(join(dir, 'root.tar')) });
  assert.equal(imported.status, 200);
  const { status: id } = JSON.parse(imported.body) as { status: string };
  assert.match(id, /^sha256:[0-9a-f]{64}$/);

  const list = JSON.parse((await send(target, 'GET', '/v1.41/images/json')).body) as { Id: string; RepoTags: string[] }[];
  assert.deepEqual(list.map((i) => [i.Id, i.RepoTags]), [[id, ['demo:v1']]]);
  const inspect = JSON.parse((await send(target, 'GET', '/v1.41/images/demo:v1/json')).body) as { Id: string; Os: string };
  assert.deepEqual([inspect.Id, inspect.Os], [id, 'linux']);
  const missing = await send(target, 'GET', '/v1.41/images/nosuchthing/json');
  assert.deepEqual([missing.status, JSON.parse(missing.body).message], [404, 'no such image: nosuchthing: No such image: nosuchthing:latest']);

  const refused = await send(target, 'DELETE', '/v1.41/images/demo:v1');
  assert.equal(refused.status, 409);
  users = [];
  const removed = await send(target, 'DELETE', '/v1.41/images/demo:v1');
  assert.deepEqual(JSON.parse(removed.body), [{ Untagged: 'demo:v1' }, { Deleted: id }]);
});

test('tag answers 201 and Docker\'s errors; save streams an x-tar archive, or 404 before any byte for a missing image', async (t) => {
  const { dir, target } = await imageApi(t, () => []);
  await send(target, 'POST', '/v1.41/images/create?fromSrc=-&repo=demo&tag=v1', { body: readFileSync(join(dir, 'root.tar')) });

  // The CLI sends the source unescaped in the path, slashes and colons included.
  assert.equal((await send(target, 'POST', '/v1.41/images/demo:v1/tag?repo=localhost%3A5000%2Fteam%2Fdemo&tag=2')).status, 201);
  assert.equal((await send(target, 'POST', '/v1.41/images/localhost:5000/team/demo:2/tag?repo=plain')).status, 201);
  const tags = JSON.parse((await send(target, 'GET', '/v1.41/images/demo:v1/json')).body) as { RepoTags: string[] };
  assert.deepEqual(tags.RepoTags.sort(), ['demo:v1', 'localhost:5000/team/demo:2', 'plain:latest']);
  const missing = await send(target, 'POST', '/v1.41/images/nosuch/tag?repo=x');
  assert.deepEqual([missing.status, JSON.parse(missing.body).message], [404, 'No such image: nosuch:latest']);
  const invalid = await send(target, 'POST', '/v1.41/images/demo:v1/tag?repo=Bad');
  assert.equal(invalid.status, 400);
  assert.match(JSON.parse(invalid.body).message, /^invalid reference format/);

  const saved = await send(target, 'GET', '/v1.41/images/get?names=demo%3Av1&names=plain');
  assert.equal(saved.status, 200);
  assert.equal(saved.headers['content-type'], 'application/x-tar');
  const one = await send(target, 'GET', '/v1.41/images/demo:v1/get');
  assert.equal(one.status, 200);
  assert.deepEqual(readdirSync(join(dir, 'images', 'tmp')), [], 'the archive file goes once it is sent');
  const notFound = await send(target, 'GET', '/v1.41/images/get?names=nosuch%3A1');
  assert.deepEqual([notFound.status, JSON.parse(notFound.body).message], [404, 'No such image: nosuch:1']);
});

test('prune removes untagged images; with dangling=false every unused image, and a used one keeps only its last tag', async (t) => {
  let usedId = '';
  const { dir, target } = await imageApi(t, (id) => (id === usedId ? [{ id: 'c'.repeat(64), running: false }] : []));
  const load = async (query: string) =>
    (JSON.parse((await send(target, 'POST', `/v1.41/images/create?fromSrc=-&${query}`, { body: readFileSync(join(dir, 'root.tar')) })).body) as { status: string }).status;
  const dangling = await load('message=dangling');
  const free = await load('repo=free&tag=1&message=free');
  usedId = await load('repo=used&tag=1&message=used');
  assert.equal((await send(target, 'POST', '/v1.41/images/used:1/tag?repo=used&tag=extra')).status, 201);

  const first = JSON.parse((await send(target, 'POST', '/v1.41/images/prune')).body) as { ImagesDeleted: unknown[]; SpaceReclaimed: number };
  assert.deepEqual(first.ImagesDeleted, [{ Deleted: dangling }]);
  assert.ok(first.SpaceReclaimed > 0);
  const filters = encodeURIComponent(JSON.stringify({ dangling: { false: true } }));
  const all = JSON.parse((await send(target, 'POST', `/v1.41/images/prune?filters=${filters}`)).body) as { ImagesDeleted: unknown[] };
  assert.deepEqual(all.ImagesDeleted, [{ Untagged: 'free:1' }, { Deleted: free }, { Untagged: 'used:1' }]);
  const left = JSON.parse((await send(target, 'GET', '/v1.41/images/json')).body) as { Id: string; RepoTags: string[] }[];
  assert.deepEqual(left.map((i) => [i.Id, i.RepoTags]), [[usedId, ['used:extra']]]);
  const until = await send(target, 'POST', `/v1.41/images/prune?filters=${encodeURIComponent('{"until":{"24h":true}}')}`);
  assert.deepEqual([until.status, JSON.parse(until.body).message], [400, 'shoal does not support the until filter (pruning images by age (--filter until=…)) yet']);
});

test('import --change sets CMD, ENTRYPOINT, ENV, WORKDIR, EXPOSE, USER and LABEL as dockerd; an invalid change is 400 and imports nothing', async (t) => {
  const { dir, target } = await imageApi(t, () => []);
  const changes = [
    'CMD ["echo","hi"]',
    'ENTRYPOINT /bin/sh -c',
    'ENV A=1 B="two words"',
    'ENV C legacy form',
    'WORKDIR /app',
    'WORKDIR sub',
    'EXPOSE 80 53/udp 8000-8001',
    'user nobody',
    'LABEL purpose=test "other"="x y"',
  ];
  const query = changes.map((c) => `changes=${encodeURIComponent(c)}`).join('&');
  const imported = await send(target, 'POST', `/v1.41/images/create?fromSrc=-&repo=changed&${query}`, { body: readFileSync(join(dir, 'root.tar')) });
  assert.equal(imported.status, 200, imported.body);
  const { Config } = JSON.parse((await send(target, 'GET', '/v1.41/images/changed/json')).body) as { Config: Record<string, unknown> };
  assert.deepEqual(Config['Cmd'], ['echo', 'hi']);
  assert.deepEqual(Config['Entrypoint'], ['/bin/sh', '-c', '/bin/sh -c']);
  assert.deepEqual(Config['Env'], ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1', 'B=two words', 'C=legacy form']);
  assert.equal(Config['WorkingDir'], '/app/sub');
  assert.deepEqual(Object.keys(Config['ExposedPorts'] as object), ['80/tcp', '53/udp', '8000/tcp', '8001/tcp']);
  assert.equal(Config['User'], 'nobody');
  assert.deepEqual(Config['Labels'], { purpose: 'test', other: 'x y' });

  const bad = await send(target, 'POST', `/v1.41/images/create?fromSrc=-&repo=bad&changes=${encodeURIComponent('RUN ls')}`, { body: readFileSync(join(dir, 'root.tar')) });
  assert.deepEqual([bad.status, JSON.parse(bad.body)], [400, { message: 'run is not a valid change command' }]);
  const platform = await send(target, 'POST', '/v1.41/images/create?fromSrc=-&repo=bad&platform=linux%2Farm64', { body: readFileSync(join(dir, 'root.tar')) });
  assert.deepEqual([platform.status, JSON.parse(platform.body)], [400, { message: 'shoal does not support the platform parameter (choosing the platform of an imported image (docker import --platform)) yet' }]);
  const volume = await send(target, 'POST', `/v1.41/images/create?fromSrc=-&repo=bad&changes=${encodeURIComponent('VOLUME /data')}`, { body: readFileSync(join(dir, 'root.tar')) });
  assert.equal(volume.status, 400);
  assert.match((JSON.parse(volume.body) as { message: string }).message, /^shoal does not support the changes parameter \(VOLUME/);
  assert.equal((await send(target, 'GET', '/v1.41/images/bad/json')).status, 404);
});
