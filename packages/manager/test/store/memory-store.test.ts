import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Transaction } from '../../src/store/transaction.js';
import { decodeTransaction, encodeTransaction } from '../../src/store/transaction.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:00:01.000Z';

function task(id: string, nodeId?: string) {
  return { ID: id, Labels: {}, Spec: {}, ServiceID: 's1', Slot: 1, ...(nodeId ? { NodeID: nodeId } : {}), DesiredState: 'running', Status: { Timestamp: T0, State: 'new', Message: '', PortStatus: {} } } as const;
}

function service(id: string, name: string) {
  return { ID: id, Spec: { Name: name, Mode: {}, TaskTemplate: {} } };
}

test('apply stamps version and timestamps from the transaction', () => {
  const store = new MemoryStore();
  assert.deepEqual(store.apply(3, { time: T0, actions: [{ op: 'create', table: 'service', object: service('n1', 'a') }] }), { ok: true });
  const n = store.get('service', 'n1');
  assert.equal(n?.Version.Index, 3);
  assert.equal(n?.CreatedAt, T0);
  store.apply(5, { time: T1, actions: [{ op: 'update', table: 'service', object: service('n1', 'b'), expectedVersion: 3 }] });
  const updated = store.get('service', 'n1');
  assert.equal(updated?.Version.Index, 5);
  assert.equal(updated?.CreatedAt, T0, 'CreatedAt survives updates');
  assert.equal(updated?.UpdatedAt, T1);
  assert.ok(Object.isFrozen(updated), 'reads are immutable');
});

test('a stale version is refused with Docker message and changes nothing', () => {
  const store = new MemoryStore();
  store.apply(1, { time: T0, actions: [{ op: 'create', table: 'service', object: service('n1', 'a') }] });
  const result = store.apply(2, { time: T1, actions: [{ op: 'update', table: 'service', object: service('n1', 'b'), expectedVersion: 0 }] });
  assert.deepEqual(result, { ok: false, refusal: { code: 'sequence-conflict', message: 'update out of sequence' } });
  assert.equal(store.get('service', 'n1')?.Spec.Name, 'a');
  assert.equal(store.appliedIndex, 2, 'a refused entry still advances the applied index');
});

test('transactions are all-or-nothing and names are unique within a table', () => {
  const store = new MemoryStore();
  store.apply(1, { time: T0, actions: [{ op: 'create', table: 'service', object: service('n1', 'a') }] });
  const result = store.apply(2, {
    time: T0,
    actions: [
      { op: 'create', table: 'service', object: service('n2', 'b') },
      { op: 'create', table: 'service', object: service('n3', 'a') },
    ],
  });
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.refusal.code, 'name-conflict');
  assert.match(!result.ok ? result.refusal.message : '', /service a already exists/);
  assert.equal(store.get('service', 'n2'), undefined, 'first action rolled back');
  // Renaming frees a name within the same transaction.
  const swap = store.apply(3, {
    time: T0,
    actions: [
      { op: 'delete', table: 'service', id: 'n1' },
      { op: 'create', table: 'service', object: service('n4', 'a') },
    ],
  });
  assert.deepEqual(swap, { ok: true });
  assert.equal(store.findByName('service', 'a')?.ID, 'n4');
});

test('subscribers see each commit once, in order; snapshot and restore round-trip', () => {
  const store = new MemoryStore();
  const seen: number[] = [];
  const dispose = store.subscribe((e) => seen.push(e.index));
  store.apply(1, { time: T0, actions: [{ op: 'create', table: 'service', object: service('n1', 'a') }] });
  store.apply(2, { time: T0, actions: [{ op: 'delete', table: 'service', id: 'missing' }] });
  store.apply(3, { time: T0, actions: [{ op: 'create', table: 'service', object: service('n2', 'b') }] });
  dispose();
  store.apply(4, { time: T0, actions: [{ op: 'delete', table: 'service', id: 'n2' }] });
  assert.deepEqual(seen, [1, 3]);
  const copy = new MemoryStore();
  copy.restore(store.snapshot());
  assert.equal(copy.appliedIndex, 4);
  assert.deepEqual(copy.list('service'), store.list('service'));
  assert.throws(() => copy.apply(4, { time: T0, actions: [] }), /at or below applied index/);
});

test('a snapshot taken in turns is the same bytes as one taken at once, of the state when it was asked for', async () => {
  const store = new MemoryStore();
  store.apply(1, { time: T0, actions: Array.from({ length: 300 }, (_, i) => ({ op: 'create' as const, table: 'task' as const, object: task(`t${i}`, `n${i % 7}`) })) });
  store.apply(2, { time: T0, actions: [{ op: 'create', table: 'service', object: service('s1', 'web') }] });
  const atOnce = store.snapshot();
  // A slice of 0 ms yields after every object: commits land while it serialises.
  const inTurns = store.snapshotInTurns(0);
  store.apply(3, { time: T0, actions: [{ op: 'delete', table: 'task', id: 't0' }, { op: 'update', table: 'task', object: task('t1', 'n9') }] });
  store.apply(4, { time: T0, actions: [{ op: 'delete', table: 'service', id: 's1' }] });
  assert.deepEqual(Buffer.from(await inTurns), Buffer.from(atOnce));
  const copy = new MemoryStore();
  copy.restore(await inTurns);
  assert.equal(copy.appliedIndex, 2);
  assert.equal(copy.list('task').length, 300);
  assert.equal(copy.get('service', 's1')?.Spec.Name, 'web');
});

test('transactions survive encoding and reject foreign data', () => {
  const txn: Transaction = { time: T0, actions: [{ op: 'delete', table: 'node', id: 'x', expectedVersion: 2 }] };
  assert.deepEqual(decodeTransaction(encodeTransaction(txn)), txn);
  assert.throws(() => decodeTransaction(new TextEncoder().encode('{"foo":1}')), /not a store transaction/);
});

test('tasks by node follow placements, moves and removals, in the store, its frozen views and a restored copy', () => {
  const store = new MemoryStore();
  const ids = (view: { tasksOnNode(id: string): { ID: string }[] }, node: string) => view.tasksOnNode(node).map((t) => t.ID).sort();
  store.apply(1, { time: T0, actions: [{ op: 'create', table: 'task', object: task('t1', 'n1') }, { op: 'create', table: 'task', object: task('t2') }] });
  assert.deepEqual(ids(store, 'n1'), ['t1'], 'built on first use');
  store.apply(2, { time: T0, actions: [{ op: 'update', table: 'task', object: task('t2', 'n1') }, { op: 'create', table: 'task', object: task('t3', 'n2') }] });
  assert.deepEqual(ids(store, 'n1'), ['t1', 't2'], 'kept up to date after');
  const frozen = store.frozenView();
  store.apply(3, { time: T0, actions: [{ op: 'update', table: 'task', object: task('t1', 'n2') }, { op: 'delete', table: 'task', id: 't2' }] });
  assert.deepEqual([ids(store, 'n1'), ids(store, 'n2')], [[], ['t1', 't3']]);
  assert.deepEqual([ids(frozen, 'n1'), ids(frozen, 'n2')], [['t1', 't2'], ['t3']], 'a frozen view keeps the placements it was taken with');
  assert.equal(store.tasksOnNode('n1').length, 0);
  const refused = store.apply(4, { time: T0, actions: [{ op: 'update', table: 'task', object: task('t3', 'n1') }, { op: 'delete', table: 'task', id: 'missing' }] });
  assert.equal(refused.ok, false);
  assert.deepEqual(ids(store, 'n2'), ['t1', 't3'], 'a refused transaction moves nothing');
  const copy = new MemoryStore();
  copy.tasksOnNode('n2');
  copy.restore(store.snapshot());
  assert.deepEqual(ids(copy, 'n2'), ['t1', 't3']);
});
