import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findNode, listNodes, nodeView, removeNode, updateNode } from '../../src/control/node-ops.js';
import { controlError, FakeControl } from './fake-context.js';

function ids(views: Record<string, unknown>[]): string[] {
  return views.map((v) => v.ID as string);
}

function threeNodes() {
  const f = new FakeControl();
  const m1 = f.addNode({ id: 'aaaa1111aaaa1111aaaa1111a', hostname: 'mgr-1', role: 'manager', labels: { zone: 'a' } });
  const w1 = f.addNode({ id: 'aaaa2222aaaa2222aaaa2222a', hostname: 'worker-1', labels: { zone: 'b', ssd: '' }, engineLabels: { tier: 'gold' } });
  const w2 = f.addNode({ id: 'bbbb3333bbbb3333bbbb3333b', hostname: 'worker-2', name: 'renamed' });
  f.setMembers([m1.ID]);
  return { f, m1, w1, w2 };
}

test('node ls filters by id prefix, name, role and labels, sorted by ID', () => {
  const { f, m1, w1, w2 } = threeNodes();
  assert.deepEqual(ids(listNodes(f.ctx, {})), [m1.ID, w1.ID, w2.ID]);
  assert.deepEqual(ids(listNodes(f.ctx, { id: ['aaaa'] })), [m1.ID, w1.ID]);
  assert.deepEqual(ids(listNodes(f.ctx, { id: ['bbbb', 'aaaa1'] })), [m1.ID, w2.ID]);
  assert.deepEqual(ids(listNodes(f.ctx, { name: ['worker'] })), [w1.ID, w2.ID]);
  assert.deepEqual(ids(listNodes(f.ctx, { name: ['renamed'] })), [w2.ID]);
  assert.deepEqual(ids(listNodes(f.ctx, { role: ['manager'] })), [m1.ID]);
  assert.deepEqual(ids(listNodes(f.ctx, { role: ['worker'] })), [w1.ID, w2.ID]);
  assert.deepEqual(ids(listNodes(f.ctx, { 'node.label': ['zone'] })), [m1.ID, w1.ID]);
  assert.deepEqual(ids(listNodes(f.ctx, { 'node.label': ['zone=b'] })), [w1.ID]);
  assert.deepEqual(ids(listNodes(f.ctx, { label: ['tier=gold'] })), [w1.ID]);
  assert.deepEqual(ids(listNodes(f.ctx, { membership: ['accepted'] })), [m1.ID, w1.ID, w2.ID]);
  assert.deepEqual(ids(listNodes(f.ctx, { membership: ['pending'] })), []);
  // Different filters all have to match.
  assert.deepEqual(ids(listNodes(f.ctx, { role: ['worker'], 'node.label': ['zone'] })), [w1.ID]);
});

test('node view derives MANAGER STATUS from live Raft state', () => {
  const f = new FakeControl();
  const leader = f.addNode({ hostname: 'm1', role: 'manager', managerAddr: '10.0.0.1:2377' });
  const down = f.addNode({ hostname: 'm2', role: 'manager', managerAddr: '10.0.0.2:2377' });
  const up = f.addNode({ hostname: 'm3', role: 'manager', managerAddr: '10.0.0.3:2377' });
  const worker = f.addNode({ hostname: 'w1' });
  f.setMembers([leader.ID, down.ID, up.ID], [down.ID]);
  assert.deepEqual(nodeView(leader, f.raft).ManagerStatus, { Leader: true, Reachability: 'reachable', Addr: '10.0.0.1:2377' });
  assert.deepEqual(nodeView(down, f.raft).ManagerStatus, { Reachability: 'unreachable', Addr: '10.0.0.2:2377' });
  assert.deepEqual(nodeView(up, f.raft).ManagerStatus, { Reachability: 'reachable', Addr: '10.0.0.3:2377' });
  assert.equal('ManagerStatus' in nodeView(worker, f.raft), false);
});

test('findNode resolves full ID, then name or hostname, then a unique ID prefix', () => {
  const { f, m1, w1, w2 } = threeNodes();
  assert.equal(findNode(f.ctx, w1.ID).ID, w1.ID);
  assert.equal(findNode(f.ctx, 'worker-1').ID, w1.ID);
  assert.equal(findNode(f.ctx, 'renamed').ID, w2.ID);
  assert.equal(findNode(f.ctx, 'bbbb').ID, w2.ID);
  assert.equal(findNode(f.ctx, 'aaaa1').ID, m1.ID);
});

test('findNode refuses an ambiguous prefix or name and reports an unknown node', () => {
  const { f } = threeNodes();
  assert.throws(() => findNode(f.ctx, 'aaaa'), controlError('invalid-argument', 'node aaaa is ambiguous (2 matches found)'));
  f.addNode({ hostname: 'worker-1' });
  assert.throws(() => findNode(f.ctx, 'worker-1'), controlError('invalid-argument', 'node worker-1 is ambiguous (2 matches found)'));
  assert.throws(() => findNode(f.ctx, 'zzz'), controlError('not-found', 'node zzz not found'));
  assert.throws(() => findNode(f.ctx, ''), controlError('invalid-argument', /ambiguous/));
});

test('demoting the last manager is refused with Docker\'s message', async () => {
  const { f, m1 } = threeNodes();
  await assert.rejects(
    updateNode(f.ctx, m1.ID, m1.Version.Index, { Role: 'worker', Labels: {} }),
    controlError('failed-precondition', 'rpc error: code = FailedPrecondition desc = attempting to demote the last manager of the swarm'),
  );
  assert.equal(f.store.get('node', m1.ID)!.Spec.Role, 'manager');
});

test('demoting a manager whose removal loses quorum is refused; with quorum left it is demoted', async () => {
  const f = new FakeControl();
  const m1 = f.addNode({ hostname: 'm1', role: 'manager' });
  const m2 = f.addNode({ hostname: 'm2', role: 'manager' });
  const m3 = f.addNode({ hostname: 'm3', role: 'manager' });
  f.setMembers([m1.ID, m2.ID, m3.ID], [m3.ID]);
  await assert.rejects(
    updateNode(f.ctx, 'm2', m2.Version.Index, { Role: 'worker', Labels: {} }),
    controlError('failed-precondition', /this would result in a loss of quorum/),
  );
  f.setMembers([m1.ID, m2.ID, m3.ID]);
  await updateNode(f.ctx, 'm2', m2.Version.Index, { Role: 'worker', Labels: {} });
  assert.equal(f.store.get('node', m2.ID)!.Spec.Role, 'worker');
});

test('node update changes availability and labels, keeps the role, and refuses bad values and stale versions', async () => {
  const { f, w1 } = threeNodes();
  await updateNode(f.ctx, 'worker-1', w1.Version.Index, { Availability: 'drain', Labels: { a: '1' } });
  const after = f.store.get('node', w1.ID)!;
  assert.deepEqual(after.Spec, { Labels: { a: '1' }, Role: 'worker', Availability: 'drain' });
  await assert.rejects(
    updateNode(f.ctx, w1.ID, after.Version.Index, { Availability: 'gone' as never, Labels: {} }),
    controlError('invalid-argument', 'invalid availability: gone'),
  );
  await assert.rejects(
    updateNode(f.ctx, w1.ID, after.Version.Index, { Role: 'boss' as never, Labels: {} }),
    controlError('invalid-argument', 'invalid role: boss'),
  );
  await assert.rejects(
    updateNode(f.ctx, w1.ID, w1.Version.Index, { Availability: 'pause', Labels: {} }),
    controlError('conflict', 'update out of sequence'),
  );
  assert.equal(f.store.get('node', w1.ID)!.Spec.Availability, 'drain');
});

test('node rm refuses a manager, and a worker that is not down unless forced', async () => {
  const { f, m1, w1, w2 } = threeNodes();
  await assert.rejects(
    removeNode(f.ctx, m1.ID, true),
    controlError(
      'failed-precondition',
      `rpc error: code = FailedPrecondition desc = node ${m1.ID} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`,
    ),
  );
  await assert.rejects(
    removeNode(f.ctx, 'worker-1', false),
    controlError('failed-precondition', `rpc error: code = FailedPrecondition desc = node ${w1.ID} is not down and can't be removed`),
  );
  assert.ok(f.store.get('node', w1.ID));
  await removeNode(f.ctx, 'worker-1', true);
  assert.equal(f.store.get('node', w1.ID), undefined);

  f.commit([{ op: 'update', table: 'node', object: { ...w2, Status: { ...w2.Status, State: 'down' } } }]);
  await removeNode(f.ctx, w2.ID, false);
  assert.equal(f.store.get('node', w2.ID), undefined);
  await assert.rejects(removeNode(f.ctx, w2.ID, true), controlError('not-found', `node ${w2.ID} not found`));
});

test('node view keeps the data-path address the agent reports out of the description, as dockerd shows none', () => {
  const f = new FakeControl();
  const n = f.addNode({ hostname: 'w1' });
  const withDataPath = { ...n, Description: { ...n.Description, DataPathAddr: '198.51.100.101' } };
  const view = nodeView(withDataPath, f.raft);
  assert.deepEqual(view.Description, n.Description);
  assert.deepEqual(Object.keys(view), Object.keys(n), 'fields keep dockerd\'s order');
});
