// Cluster bootstrap with the real docker CLI against shoald daemons, each in its own network
// namespace: forming a 3-manager, 2-worker swarm, role changes, failover after kill -9 of the leader,
// restart of every manager, and quorum loss recovered with --force-new-cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { docker, dockerOk, formSwarm, kill9, nodeLs, restartDaemon, stopDaemon, startDaemon, waitForNodes, waitForSocket, withCluster, waitFor } from '../src/index.js';

test('three managers and two workers form a swarm; roles, labels and removal work', async (t) => {
  const cluster = await withCluster(t, { managers: 3, workers: 2 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, m2, m3, w1, w2] = cluster.hosts as [typeof cluster.hosts[0], ...typeof cluster.hosts];
  assert.ok(m2 && m3 && w1 && w2);

  const rows = await nodeLs(m2);
  assert.deepEqual(rows.map((r) => r.hostname).sort(), cluster.hosts.map((h) => h.name).sort());
  assert.equal(rows.find((r) => r.self)?.hostname, m2.name, 'the * marks the node answering');
  assert.equal(rows.find((r) => r.hostname === m1.name)?.managerStatus, 'Leader');
  assert.deepEqual(rows.filter((r) => r.managerStatus === 'Reachable').map((r) => r.hostname).sort(), [m2.name, m3.name].sort());
  assert.deepEqual(rows.filter((r) => r.managerStatus === '').map((r) => r.hostname).sort(), [w1.name, w2.name].sort());

  const onWorker = await docker(w1, ['node', 'ls']);
  assert.equal(onWorker.code, 1);
  assert.match(onWorker.stderr, /Error response from daemon: This node is not a swarm manager\. Worker nodes can't be used/);

  // Writes through a follower are applied by the leader.
  await dockerOk(m3, ['node', 'update', '--label-add', 'zone=b', w2.name]);
  assert.equal((await dockerOk(m1, ['node', 'inspect', '--format', '{{index .Spec.Labels "zone"}}', w2.name])).trim(), 'b');

  await dockerOk(m1, ['node', 'promote', w1.name]);
  await waitForNodes(m1, 5, (r) => r.find((x) => x.hostname === w1.name)?.managerStatus === 'Reachable', 'promoted worker reachable');
  assert.match(await dockerOk(w1, ['node', 'ls']), new RegExp(`${w1.name}\\s+Ready`), 'a promoted node answers manager commands');
  await dockerOk(m1, ['node', 'demote', w1.name]);
  await waitForNodes(m1, 5, (r) => r.find((x) => x.hostname === w1.name)?.managerStatus === '', 'demoted node not a manager');
  await waitFor('demoted node to refuse manager commands', async () => ((await docker(w1, ['node', 'ls'])).code === 1 ? true : undefined));

  const refused = await docker(m1, ['node', 'rm', m2.name]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /is a cluster manager and is a member of the raft cluster\. It must be demoted to worker before removal/);
  const leave = await docker(m2, ['swarm', 'leave']);
  assert.equal(leave.code, 1);
  assert.match(leave.stderr, /You are attempting to leave the swarm on a node that is participating as a manager/);

  await dockerOk(w2, ['swarm', 'leave']);
  await waitForNodes(m1, 5, (r) => r.find((x) => x.hostname === w2.name)?.status === 'Down', 'the node that left to be Down');
  await dockerOk(m1, ['node', 'rm', w2.name]);
  await waitForNodes(m1, 4, () => true, 'the removed node to be gone');
});

test('kill -9 of the leader: another manager leads, writes succeed, the old leader rejoins after restart', async (t) => {
  const cluster = await withCluster(t, { managers: 3, workers: 0 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, m2, m3] = cluster.hosts;
  assert.ok(m1 && m2 && m3);
  await kill9(m1);
  const started = Date.now();
  await waitFor('a write through m2 after the leader died', async () =>
    (await docker(m2, ['node', 'update', '--label-add', 'after=kill', m3.name])).code === 0 ? true : undefined,
    { timeoutMs: 15_000, intervalMs: 50 },
  );
  const failoverMs = Date.now() - started;
  t.diagnostic(`write accepted ${failoverMs} ms after kill -9 of the leader`);
  const rows = await waitForNodes(m2, 3, (r) => r.find((x) => x.hostname === m1.name)?.status === 'Down', 'the dead leader Down');
  assert.equal(rows.find((r) => r.hostname === m1.name)?.managerStatus, 'Unreachable');
  assert.ok(rows.some((r) => r.managerStatus === 'Leader' && r.hostname !== m1.name));

  await restartDaemon(m1);
  await waitForNodes(m2, 3, (r) => r.every((x) => x.status === 'Ready') && r.filter((x) => x.managerStatus === 'Reachable').length === 2, 'old leader back');
  assert.equal((await dockerOk(m1, ['node', 'inspect', '--format', '{{index .Spec.Labels "after"}}', m3.name])).trim(), 'kill');
});

test('every manager restarts with its state; quorum loss errors clearly and --force-new-cluster recovers', async (t) => {
  const cluster = await withCluster(t, { managers: 3, workers: 1 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, m2, m3, w1] = cluster.hosts;
  assert.ok(m1 && m2 && m3 && w1);
  await dockerOk(m1, ['node', 'update', '--label-add', 'keep=yes', w1.name]);

  for (const m of [m1, m2, m3]) await stopDaemon(m);
  for (const m of [m1, m2, m3]) await startDaemon(m);
  for (const m of [m1, m2, m3]) await waitForSocket(m);
  await waitForNodes(m3, 4, (r) => r.filter((x) => x.managerStatus !== '').length === 3 && r.some((x) => x.managerStatus === 'Leader'), 'a leader after full restart');
  assert.equal((await dockerOk(m2, ['node', 'inspect', '--format', '{{index .Spec.Labels "keep"}}', w1.name])).trim(), 'yes');

  await kill9(m2);
  await kill9(m3);
  const lost = await waitFor('node ls to fail without quorum', async () => {
    const r = await docker(m1, ['node', 'ls'], { timeoutMs: 30_000 });
    return r.code !== 0 ? r : undefined;
  }, { timeoutMs: 20_000 });
  assert.match(lost.stderr, /The swarm does not have a leader\. It's possible that too few managers are online\. Make sure more than half of the managers are online\./);

  await dockerOk(m1, ['swarm', 'init', '--force-new-cluster', '--advertise-addr', m1.addr]);
  const rows = await waitForNodes(m1, 4, (r) => r.find((x) => x.hostname === m1.name)?.managerStatus === 'Leader', 'm1 leading the recovered cluster');
  assert.ok(rows.some((r) => r.hostname === w1.name), 'workers are kept');
  assert.equal((await dockerOk(m1, ['node', 'inspect', '--format', '{{index .Spec.Labels "keep"}}', w1.name])).trim(), 'yes');
  await dockerOk(m1, ['node', 'update', '--label-add', 'recovered=1', w1.name]);
});
