// The real docker CLI (v28, first on PATH) against the API on a temporary unix socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngineApi, notSwarmManager, route } from '../../src/api/index.js';
import { docker, testSystem } from './helpers.js';

async function startServer(t: test.TestContext): Promise<{ socketPath: string; configDir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socketPath = join(dir, 'run', 'shoal.sock');
  const api = createEngineApi({
    system: testSystem(),
    routes: [[route({ method: 'GET', path: '/nodes', filters: ['id', 'name', 'role'], handler: () => { throw notSwarmManager(); } })]],
  });
  const server = await api.listen({ kind: 'unix', path: socketPath });
  t.after(() => server.close());
  return { socketPath, configDir: join(dir, 'docker-config') };
}

test('docker version negotiates API 1.41 and shows the shoal engine', async (t) => {
  const { socketPath, configDir } = await startServer(t);
  const out = await docker(socketPath, configDir, ['version']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /API version:\s+1\.41 \(downgraded from 1\.50\)/);
  assert.match(out.stdout, /Server: shoal\n Engine:\n  Version:\s+9\.9\.9\n  API version:\s+1\.41 \(minimum version 1\.24\)/);
  assert.match(out.stdout, /Go version:\s+node v20\./);
});

test('docker info reports the swarm as inactive', async (t) => {
  const { socketPath, configDir } = await startServer(t);
  const out = await docker(socketPath, configDir, ['info', '--format', '{{.Swarm.LocalNodeState}}']);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, 'inactive\n');
  const full = await docker(socketPath, configDir, ['info']);
  assert.equal(full.code, 0, full.stderr);
  assert.match(full.stdout, /Swarm: inactive/);
  assert.match(full.stdout, /Name: node-1/);
});

test('daemon errors reach the user as "Error response from daemon"', async (t) => {
  const { socketPath, configDir } = await startServer(t);
  const nodes = await docker(socketPath, configDir, ['node', 'ls']);
  assert.equal(nodes.code, 1);
  assert.equal(
    nodes.stderr,
    'Error response from daemon: This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.\n',
  );
  const badFilter = await docker(socketPath, configDir, ['node', 'ls', '--filter', 'label=x']);
  assert.equal(badFilter.stderr, "Error response from daemon: invalid filter 'label'\n");
  const unknown = await docker(socketPath, configDir, ['service', 'ls']);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'Error response from daemon: page not found\n');
});

test('docker inspect walks the 404 fallback chain to "No such object"', async (t) => {
  const { socketPath, configDir } = await startServer(t);
  const out = await docker(socketPath, configDir, ['inspect', 'nosuchthing']);
  assert.equal(out.code, 1);
  assert.equal(out.stdout, '[]\n');
  assert.equal(out.stderr, 'Error: No such object: nosuchthing\n');
});
