// Port 2377 beyond e2e/test/security.test.ts: a certificate the cluster's own CA signed for a real
// manager but that has expired; connections that stay silent or stop mid-ClientHello, alone and 200 at
// once while a legitimate manager calls in; garbage bytes. All refused or shrugged off, and the
// cluster is undisturbed after each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dockerOk, execOnHost, formSwarm, startDaemon, stopDaemon, waitForNodes, waitForSocket, withCluster, type HostLayout } from '../src/index.js';
import { readClusterCa } from '../src/fuzz/cluster-ca.js';
import type { HostileProbe } from '../src/fuzz/probe-2377-hostile.js';

const PROBE = fileURLToPath(new URL('../src/fuzz/probe-2377-hostile.js', import.meta.url));
const OK = 0;
const UNAUTHENTICATED = 16;

async function probe<T>(from: HostLayout, args: HostileProbe): Promise<T> {
  const result = await execOnHost(from, [process.execPath, PROBE, JSON.stringify(args)], { timeoutMs: 40_000 });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

test('port 2377 refuses an expired certificate of a real manager and outlasts silent, half-open and flooding connections', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 1 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1] = cluster.hosts;
  assert.ok(m1 && w1);
  const addr = `${m1.addr}:2377`;
  const rootCaPem = readFileSync(`${m1.dataRoot}/swarm/certificates/swarm-root-ca.crt`, 'utf8');
  const [nodeId, clusterId] = (await dockerOk(m1, ['info', '--format', '{{.Swarm.NodeID}} {{.Swarm.Cluster.ID}}'])).trim().split(' ') as [string, string];
  const undisturbed = async (after: string): Promise<void> => {
    const rows = await waitForNodes(m1, 2, (r) => r.every((x) => x.status === 'Ready'), `the cluster undisturbed after ${after}`);
    assert.equal(rows.find((r) => r.hostname === m1.name)?.managerStatus, 'Leader', after);
  };

  // The CA key lives only in the Raft log: read it with the manager stopped, then bring it back.
  await stopDaemon(m1);
  const ca = await readClusterCa(m1.dataRoot);
  await startDaemon(m1);
  await waitForSocket(m1);
  await undisturbed('a manager restart');

  type CallOutcome = { code: number; details: string; ms: number };
  const certFor = (notAfterAgoMs: number): HostileProbe => ({ mode: 'cert', addr, rootCaPem, ca, nodeId, clusterId, role: 'manager', notAfterAgoMs });
  const expired = await probe<CallOutcome>(w1, certFor(60_000));
  t.diagnostic(`an expired manager certificate: code ${expired.code}, "${expired.details}"`);
  assert.equal(expired.code, UNAUTHENTICATED, JSON.stringify(expired));
  assert.match(expired.details, /expired|issued by this cluster's CA is required/);
  // The same certificate, still inside its validity, is let in: the refusal above is about expiry.
  const current = await probe<CallOutcome>(w1, certFor(-600_000));
  assert.equal(current.code, OK, JSON.stringify(current));
  await undisturbed('an expired certificate');

  for (const kind of ['silent', 'half-tls'] as const) {
    const held = await probe<{ closedAfterMs: number | null }>(w1, { mode: 'hold', addr, kind, holdMs: 3_000 });
    t.diagnostic(`a ${kind} connection to 2377: ${held.closedAfterMs === null ? 'still open after 3 s' : `closed by the server after ${held.closedAfterMs} ms`}`);
  }
  const flood = await probe<CallOutcome & { stillOpen: number }>(w1, { mode: 'flood', addr, count: 200, rootCaPem, dataRoot: m1.dataRoot });
  t.diagnostic(`with 200 silent/half-open connections on 2377 (${flood.stillOpen} still open), a manager's call took ${flood.ms} ms`);
  assert.equal(flood.code, OK, JSON.stringify(flood));
  assert.ok(flood.ms < 5_000, `a legitimate call took ${flood.ms} ms behind 200 idle connections`);
  await undisturbed('200 silent and half-open connections');

  const networkId = (await dockerOk(m1, ['network', 'create', '-d', 'overlay', 'after-abuse'])).trim();
  assert.match(networkId, /^[0-9a-z]{25}$/);
});
