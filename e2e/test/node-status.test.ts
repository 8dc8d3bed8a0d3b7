// A node's STATUS in `docker node ls` follows its dispatcher session whatever its role: a killed
// manager is Down about as soon as a killed worker (3 missed heartbeats), also when the killed manager
// was the leader and the surviving managers elect a new one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formSwarm, kill9, nodeLs, restartDaemon, waitFor, waitForNodes, withCluster, type HostLayout } from '../src/index.js';

const HEARTBEAT_S = 5;
const GRACE_MS = 3 * HEARTBEAT_S * 1000;

/** Milliseconds from `since` until `node ls` on `from` shows each of `names` Down, polling every 250 ms. */
async function downAfter(from: HostLayout, names: readonly string[], since: number, timeoutMs: number): Promise<Map<string, number>> {
  const downAt = new Map<string, number>();
  await waitFor(
    `${names.join(', ')} Down (node ls on ${from.name})`,
    async () => {
      for (const row of await nodeLs(from)) if (names.includes(row.hostname) && row.status === 'Down' && !downAt.has(row.hostname)) downAt.set(row.hostname, Date.now() - since);
      return downAt.size === names.length ? true : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
  return downAt;
}

test('a killed manager is Down as soon as a killed worker, also when it was the leader', { timeout: 240_000 }, async (t) => {
  const cluster = await withCluster(t, { managers: 3, workers: 1 });
  await formSwarm(cluster, { heartbeat: `${HEARTBEAT_S}s` });
  const [m1, m2, m3, w1] = cluster.hosts;
  assert.ok(m1 && m2 && m3 && w1);

  let killed = Date.now();
  await Promise.all([kill9(m2), kill9(w1)]);
  let downs = await downAfter(m1, [m2.name, w1.name], killed, 2 * GRACE_MS);
  t.diagnostic(`follower Down after ${downs.get(m2.name)} ms, worker after ${downs.get(w1.name)} ms`);
  assert.ok(downs.get(m2.name)! <= GRACE_MS + 3000, `a killed follower is Down within 3 heartbeats (took ${downs.get(m2.name)} ms)`);

  await restartDaemon(m2);
  await waitForNodes(m1, 4, (r) => r.find((x) => x.hostname === m2.name)?.status === 'Ready' && r.filter((x) => x.managerStatus === 'Reachable').length === 2, 'the follower back');

  // The new leader waits twice the grace for nodes to reconnect after an election (as swarmkit does),
  // but the old leader, which Raft finds unreachable, gets only the usual grace from the election.
  killed = Date.now();
  await kill9(m1);
  const leader = await waitForNodes(m2, 4, (r) => r.some((x) => x.managerStatus === 'Leader' && x.hostname !== m1.name), 'a new leader', 30_000);
  const electedMs = Date.now() - killed;
  downs = await downAfter(m2, [m1.name], killed, 4 * GRACE_MS);
  t.diagnostic(`new leader ${leader.find((x) => x.managerStatus === 'Leader')?.hostname} after ${electedMs} ms; old leader Down after ${downs.get(m1.name)} ms`);
  assert.ok(downs.get(m1.name)! <= electedMs + GRACE_MS + 4000, `the killed leader is Down within 3 heartbeats of the election (took ${downs.get(m1.name)} ms)`);
  const rows = await nodeLs(m3);
  assert.equal(rows.find((r) => r.hostname === m1.name)?.managerStatus, 'Unreachable');
  assert.equal(rows.find((r) => r.hostname === m2.name)?.status, 'Ready');
});
