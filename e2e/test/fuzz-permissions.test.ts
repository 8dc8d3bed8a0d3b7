// Who can read a live manager's secrets on its own host: the API socket is root-only, the data root and
// the certificate directory are 0700, the node's private key and swarm state are 0600, and nothing is
// writable by others. The Raft log holds the cluster's root CA key, so it must not be world-readable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formSwarm, withCluster } from '../src/index.js';

const mode = (path: string): number => statSync(path).mode & 0o777;
const octal = (m: number): string => `0${m.toString(8)}`;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out.push(path);
    if (statSync(path).isDirectory()) walk(path, out);
  }
  return out;
}

test('a live manager keeps its socket, keys and state root-only', async (t) => {
  const cluster = await withCluster(t, { managers: 1 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1] = cluster.hosts;
  assert.ok(m1);
  const socket = statSync(m1.socket);
  assert.ok(socket.isSocket());
  assert.equal(socket.uid, 0);
  assert.equal(octal(socket.mode & 0o777), '0600', 'the API socket');
  assert.equal(octal(mode(m1.dataRoot)), '0700', 'the data root');
  const certs = join(m1.dataRoot, 'swarm', 'certificates');
  assert.equal(octal(mode(certs)), '0700', 'the certificate directory');
  assert.equal(octal(mode(join(certs, 'swarm-node.key'))), '0600', "the node's private key");
  assert.equal(octal(mode(join(m1.dataRoot, 'swarm', 'state.json'))), '0600', 'the swarm state');
  assert.equal(octal(mode(join(m1.dataRoot, 'engine-id'))), '0600', 'the engine ID');
  const writable = walk(m1.dataRoot).filter((p) => (mode(p) & 0o022) !== 0);
  assert.deepEqual(writable, [], 'nothing under the data root is writable by group or others');
});

test('the Raft log (which holds the root CA key) is not readable by others', async (t) => {
  const cluster = await withCluster(t, { managers: 1 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1] = cluster.hosts;
  assert.ok(m1);
  const raft = join(m1.dataRoot, 'swarm', 'raft');
  const readable = [raft, ...walk(raft)].filter((p) => (mode(p) & 0o004) !== 0).map((p) => `${octal(mode(p))} ${p}`);
  assert.deepEqual(readable, []);
});
