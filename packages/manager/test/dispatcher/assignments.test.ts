import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssignmentStream, type AssignmentChanges } from '../../src/dispatcher/assignments.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Draft, NodeObject, TaskObject, TaskState } from '../../src/store/objects.js';
import type { Action } from '../../src/store/transaction.js';

const TIME = '2030-01-15T12:00:00.000Z';

function task(id: string, nodeId: string, state: TaskState): Draft<TaskObject> {
  return { ID: id, Labels: {}, Spec: {}, ServiceID: 'svc1', Slot: 1, NodeID: nodeId, DesiredState: 'running', Status: { Timestamp: TIME, State: state, Message: '', PortStatus: {} } };
}

test('each node\'s stream hears only of its own tasks, however many other nodes\' tasks a commit carries', async () => {
  const store = new MemoryStore();
  let index = 0;
  const apply = async (actions: readonly Action[]) => {
    assert.ok(store.apply(++index, { actions, time: TIME }).ok);
    await new Promise((resolve) => setImmediate(resolve)); // streams send once the turn's commits are in
  };
  await apply(['a', 'b', 'c'].map((id) => ({ op: 'create', table: 'node', object: { ID: id, Spec: { Labels: {}, Role: 'worker', Availability: 'active' }, Description: { Hostname: id }, Status: { State: 'ready', Addr: '' } } as Draft<NodeObject> })));
  const heard = new Map<string, [string, AssignmentChanges][]>();
  for (const id of ['a', 'b', 'c']) {
    heard.set(id, []);
    new AssignmentStream(store, id, { write: (kind, changes) => heard.get(id)!.push([kind, changes]) }).start();
  }
  await apply([...['a1', 'a2', 'a3'].map((id) => task(id, 'a', 'assigned')), task('b1', 'b', 'assigned'), task('p1', 'c', 'pending')].map((object) => ({ op: 'create' as const, table: 'task' as const, object })));
  const tasksOf = (id: string) => heard.get(id)!.slice(1).map(([kind, c]) => [kind, c.tasks.map((t) => t.ID).sort(), c.removed]);
  assert.deepEqual(tasksOf('a'), [['incremental', ['a1', 'a2', 'a3'], []]]);
  assert.deepEqual(tasksOf('b'), [['incremental', ['b1'], []]]);
  assert.deepEqual(tasksOf('c'), [], 'a pending task is not an assignment yet');
  const a1 = store.get('task', 'a1')!;
  await apply([{ op: 'update', table: 'task', object: { ...a1, Status: { ...a1.Status, State: 'running' } } }, { op: 'delete', table: 'task', id: 'a2' }]);
  assert.deepEqual(tasksOf('a').at(-1), ['incremental', [], ['a2']], 'a1\'s new status came from a itself');
  assert.equal(heard.get('b')!.length, 2, 'b heard nothing of a\'s commit');
  assert.equal(heard.get('c')!.length, 1);
});

test('the changes of the commits applied in one turn reach the node as one message', async () => {
  const store = new MemoryStore();
  let index = 0;
  const applyNow = (actions: readonly Action[]) => assert.ok(store.apply(++index, { actions, time: TIME }).ok);
  applyNow([{ op: 'create', table: 'node', object: { ID: 'a', Spec: { Labels: {}, Role: 'worker', Availability: 'active' }, Description: { Hostname: 'a' }, Status: { State: 'ready', Addr: '' } } as Draft<NodeObject> }]);
  const heard: AssignmentChanges[] = [];
  const stream = new AssignmentStream(store, 'a', { write: (_kind, changes) => heard.push(changes) });
  stream.start();
  applyNow([{ op: 'create', table: 'task', object: task('t1', 'a', 'assigned') }]);
  for (const state of ['accepted', 'preparing', 'running'] as const) {
    const t = store.get('task', 't1')!;
    applyNow([{ op: 'update', table: 'task', object: { ...t, Status: { ...t.Status, State: state } } }]);
  }
  applyNow([{ op: 'create', table: 'task', object: task('t2', 'a', 'assigned') }]);
  assert.equal(heard.length, 1, 'only the full set so far');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(heard.slice(1).map((c) => c.tasks.map((t) => [t.ID, t.Status.State])), [[['t1', 'running'], ['t2', 'assigned']]]);
  stream.stop();
  applyNow([{ op: 'delete', table: 'task', id: 't2' }]);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(heard.length, 2, 'a stopped stream sends nothing');
});

test('a task goes back to its agent when the managers change it, not when only its reported status changes', async () => {
  const store = new MemoryStore();
  let index = 0;
  const apply = async (actions: readonly Action[]) => {
    assert.ok(store.apply(++index, { actions, time: TIME }).ok);
    await new Promise((resolve) => setImmediate(resolve));
  };
  await apply([{ op: 'create', table: 'node', object: { ID: 'a', Spec: { Labels: {}, Role: 'worker', Availability: 'active' }, Description: { Hostname: 'a' }, Status: { State: 'ready', Addr: '' } } as Draft<NodeObject> }]);
  const heard: AssignmentChanges[] = [];
  new AssignmentStream(store, 'a', { write: (_kind, changes) => heard.push(changes) }).start();
  const update = (change: (t: TaskObject) => TaskObject) => apply([{ op: 'update', table: 'task', object: change(store.get('task', 't1')!) }]);
  const sent = () => heard.slice(1).map((c) => c.tasks.map((t) => `${t.Status.State}/${t.DesiredState}`));

  await apply([{ op: 'create', table: 'task', object: task('t1', 'a', 'assigned') }]);
  for (const state of ['accepted', 'preparing', 'running'] as const) await update((t) => ({ ...t, Status: { ...t.Status, State: state } }));
  assert.deepEqual(sent(), [['assigned/running']], 'the agent\'s own reports are not echoed');

  // The object is decoded anew on a follower: equal parts that are not the same objects still count as equal.
  await update((t) => JSON.parse(JSON.stringify({ ...t, Status: { ...t.Status, Message: 'healthy' } })) as TaskObject);
  assert.equal(sent().length, 1);

  await update((t) => ({ ...t, DesiredState: 'shutdown' }));
  assert.deepEqual(sent(), [['assigned/running'], ['running/shutdown']], 'a new desired state is sent');
});
