// Serving on a unix socket: permissions, stale sockets, refusing to steal a live one, cleanup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SocketInUseError, createEngineApi } from '../../src/api/index.js';
import { send, testSystem } from './helpers.js';

function tempDir(t: test.TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-api-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the socket is created 0600 in a new 0700 directory and removed on close', async (t) => {
  const path = join(tempDir(t), 'run', 'shoal.sock');
  const server = await createEngineApi({ system: testSystem() }).listen({ kind: 'unix', path });
  t.after(() => server.close());
  assert.equal(server.address, `unix://${path}`);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700);
  assert.equal((await send({ socketPath: path }, 'GET', '/_ping')).body, 'OK');
  await server.close();
  assert.equal(existsSync(path), false);
});

test('a stale socket left by a dead daemon is replaced', async (t) => {
  const path = join(tempDir(t), 'shoal.sock');
  // A daemon killed with SIGKILL leaves its socket file behind.
  const crash = `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`;
  const result = spawnSync(process.execPath, ['-e', crash], { timeout: 5_000 });
  assert.equal(result.signal, 'SIGKILL');
  assert.equal(existsSync(path), true);
  const server = await createEngineApi({ system: testSystem() }).listen({ kind: 'unix', path });
  t.after(() => server.close());
  assert.equal((await send({ socketPath: path }, 'GET', '/_ping')).status, 200);
});

test('a socket another daemon still serves is not taken over', async (t) => {
  const path = join(tempDir(t), 'shoal.sock');
  const first = await createEngineApi({ system: testSystem() }).listen({ kind: 'unix', path });
  t.after(() => first.close());
  await assert.rejects(createEngineApi({ system: testSystem() }).listen({ kind: 'unix', path }), (err: unknown) => {
    assert.ok(err instanceof SocketInUseError);
    assert.equal(err.message, `another daemon is already listening on ${path}`);
    return true;
  });
  assert.equal((await send({ socketPath: path }, 'GET', '/_ping')).status, 200, 'the first daemon still serves');
});

test('a regular file at the socket path is refused, not deleted', async (t) => {
  const path = join(tempDir(t), 'shoal.sock');
  writeFileSync(path, 'precious');
  await assert.rejects(createEngineApi({ system: testSystem() }).listen({ kind: 'unix', path }), /exists and is not a socket/);
  assert.equal(existsSync(path), true);
});
