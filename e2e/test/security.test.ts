// Who gets in on port 2377, checked with real mutual TLS between namespace hosts: no certificate, a
// certificate from another CA, a worker calling a manager-only RPC, a removed node, garbage bytes, and
// joins with a rotated-away token or a token for another CA. None of them disturbs the cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { docker, dockerOk, execOnHost, formSwarm, nodeLs, waitForNodes, withCluster, type HostLayout } from '../src/index.js';
import type { ProbeCredentials } from '../src/probe-2377.js';

const PROBE = fileURLToPath(new URL('../src/probe-2377.js', import.meta.url));
const UNAUTHENTICATED = 16;
const PERMISSION_DENIED = 7;

async function probe(from: HostLayout, mode: 'control' | 'garbage', manager: HostLayout, credentials: ProbeCredentials) {
  const rootCaPem = readFileSync(`${manager.dataRoot}/swarm/certificates/swarm-root-ca.crt`, 'utf8');
  const args = JSON.stringify({ addr: `${manager.addr}:2377`, rootCaPem, credentials });
  const result = await execOnHost(from, [process.execPath, PROBE, mode, args], { timeoutMs: 30_000 });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as { code: number; details: string };
}

test('port 2377 refuses callers without a valid, authorised certificate', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1, w2] = cluster.hosts;
  assert.ok(m1 && w1 && w2);

  const anonymous = await probe(w1, 'control', m1, { kind: 'none' });
  assert.equal(anonymous.code, UNAUTHENTICATED, JSON.stringify(anonymous));
  assert.match(anonymous.details, /a client certificate issued by this cluster's CA is required/);

  const foreign = await probe(w1, 'control', m1, { kind: 'foreign-ca' });
  assert.equal(foreign.code, UNAUTHENTICATED, JSON.stringify(foreign));
  assert.match(foreign.details, /a client certificate issued by this cluster's CA is required/);

  const worker = await probe(w1, 'control', m1, { kind: 'node', dataRoot: w1.dataRoot });
  assert.equal(worker.code, PERMISSION_DENIED, JSON.stringify(worker));
  assert.match(worker.details, /is not a manager/);

  const manager = await probe(m1, 'control', m1, { kind: 'node', dataRoot: m1.dataRoot });
  assert.equal(manager.code, 0, 'the manager itself is let in: the refusals above are about the caller');

  await probe(w1, 'garbage', m1, { kind: 'none' });

  // A removed node's certificate is still unexpired, but opens nothing any more.
  const w2Root = w2.dataRoot;
  await dockerOk(m1, ['node', 'rm', '--force', w2.name]);
  const removed = await probe(w1, 'control', m1, { kind: 'node', dataRoot: w2Root });
  assert.equal(removed.code, PERMISSION_DENIED, JSON.stringify(removed));
  assert.match(removed.details, /was removed from the swarm/);

  const rows = await waitForNodes(m1, 2, (r) => r.every((x) => x.status === 'Ready'), 'the cluster undisturbed');
  assert.deepEqual(rows.map((r) => r.hostname).sort(), [m1.name, w1.name].sort());
});

test('joins need the current token of the role, for this cluster\'s CA', async (t) => {
  const cluster = await withCluster(t, { managers: 2, workers: 1 });
  const [m1, m2, w1] = cluster.hosts;
  assert.ok(m1 && m2 && w1);
  await dockerOk(m1, ['swarm', 'init', '--advertise-addr', m1.addr]);
  const oldWorker = (await dockerOk(m1, ['swarm', 'join-token', '-q', 'worker'])).trim();
  const rotated = await dockerOk(m1, ['swarm', 'join-token', '--rotate', 'worker']);
  assert.match(rotated, /Successfully rotated worker join token\./);
  const newWorker = (await dockerOk(m1, ['swarm', 'join-token', '-q', 'worker'])).trim();
  assert.notEqual(newWorker, oldWorker);
  assert.equal(newWorker.split('-')[2], oldWorker.split('-')[2], 'rotation keeps the CA digest');

  const stale = await docker(w1, ['swarm', 'join', '--token', oldWorker, `${m1.addr}:2377`]);
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /A valid join token is necessary to join this cluster/);

  // A token whose digest names another CA: the joiner refuses the manager's CA before sending anything.
  const digest = oldWorker.split('-')[2]!;
  const otherDigest = digest.slice(0, -1) + (digest.endsWith('0') ? '1' : '0');
  const pinned = await docker(w1, ['swarm', 'join', '--token', newWorker.replace(digest, otherDigest), `${m1.addr}:2377`]);
  assert.equal(pinned.code, 1);
  assert.match(pinned.stderr, /remote CA does not match fingerprint/);

  const malformed = await docker(w1, ['swarm', 'join', '--token', 'SWMTKN-1-nonsense', `${m1.addr}:2377`]);
  assert.equal(malformed.code, 1);
  assert.match(malformed.stderr, /invalid join token/);

  // The worker token never makes a manager; the manager token does.
  await dockerOk(w1, ['swarm', 'join', '--token', newWorker, `${m1.addr}:2377`]);
  const managerToken = (await dockerOk(m1, ['swarm', 'join-token', '-q', 'manager'])).trim();
  await dockerOk(m2, ['swarm', 'join', '--token', managerToken, `${m1.addr}:2377`]);
  const rows = await nodeLs(m1);
  assert.equal(rows.find((r) => r.hostname === w1.name)?.managerStatus, '');
  assert.equal(rows.find((r) => r.hostname === m2.name)?.managerStatus, 'Reachable');
});
