import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addManager, removeManager } from '../../src/control/membership-ops.js';
import { registerOperations, runOperation } from '../../src/control/registry.js';
import { controlError, FakeControl } from './fake-context.js';

test('a joining manager gets its address recorded before Raft adds it, and learns every seat', async () => {
  const f = new FakeControl();
  const m1 = f.addNode({ hostname: 'm1', role: 'manager', managerAddr: '10.0.0.1:2377' });
  const m2 = f.addNode({ hostname: 'm2', role: 'manager', managerAddr: '10.0.0.9:2377' });
  f.setMembers([m1.ID]);
  const seats = await addManager(f.ctx, { nodeId: m2.ID, addr: '10.0.0.2:2377' });
  assert.equal(f.store.get('node', m2.ID)?.ManagerStatus?.Addr, '10.0.0.2:2377');
  assert.deepEqual(f.raft.added, [m2.ID]);
  assert.deepEqual(seats, [
    { nodeId: m1.ID, addr: '10.0.0.1:2377' },
    { nodeId: m2.ID, addr: '10.0.0.2:2377' },
  ]);
  // Asking again (a retry after a lost answer) adds nothing twice.
  await addManager(f.ctx, { nodeId: m2.ID, addr: '10.0.0.2:2377' });
  assert.deepEqual(f.raft.added, [m2.ID]);
});

test('only existing manager nodes may enter the Raft group', async () => {
  const f = new FakeControl();
  const m1 = f.addNode({ hostname: 'm1', role: 'manager' });
  const w = f.addNode({ hostname: 'w1' });
  f.setMembers([m1.ID]);
  await assert.rejects(addManager(f.ctx, { nodeId: w.ID, addr: 'x:1' }), controlError('permission-denied', `node ${w.ID} is not a manager: permission denied`));
  await assert.rejects(
    addManager(f.ctx, { nodeId: 'gone0000gone0000gone0000g', addr: 'x:1' }),
    controlError('permission-denied', 'node gone0000gone0000gone0000g was removed from the swarm'),
  );
  assert.deepEqual(f.raft.added, []);
});

test('the last member cannot leave the Raft group; a non-member leaving is a no-op', async () => {
  const f = new FakeControl();
  const m1 = f.addNode({ hostname: 'm1', role: 'manager' });
  const m2 = f.addNode({ hostname: 'm2', role: 'manager' });
  f.setMembers([m1.ID]);
  await assert.rejects(
    removeManager(f.ctx, { nodeId: m1.ID }),
    controlError('failed-precondition', 'rpc error: code = FailedPrecondition desc = the last manager cannot leave the raft group'),
  );
  await removeManager(f.ctx, { nodeId: m2.ID });
  assert.deepEqual(f.raft.removed, []);
  f.setMembers([m1.ID, m2.ID]);
  await removeManager(f.ctx, { nodeId: m2.ID });
  assert.deepEqual(f.raft.removed, [m2.ID]);
});

test('the registry refuses unknown operations and a second registration of a name', async () => {
  const f = new FakeControl();
  await assert.rejects(runOperation(f.ctx, 'noSuchThing', {}), controlError('not-implemented', 'unknown control operation noSuchThing'));
  assert.throws(() => registerOperations({ listNodes: () => [] }), { message: 'control operation listNodes registered twice' });
  registerOperations({ echoForTest: (_ctx, p: { v: number }) => p.v });
  assert.equal(await runOperation(f.ctx, 'echoForTest', { v: 7 }), 7);
  // An operation returning nothing answers null (the Control service sends JSON).
  assert.equal(await runOperation(f.ctx, 'removeManager', { nodeId: 'nobody' }), null);
});
