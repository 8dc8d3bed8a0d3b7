import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orchestratorWants, schedulerWants } from '../../src/orchestrator/interest.js';
import type { Change, CommitEvent } from '../../src/store/memory-store.js';
import type { TaskObject, TaskState } from '../../src/store/objects.js';
import { Sim, spec } from './sim.js';

const event = (...changes: Change[]): CommitEvent => ({ index: 1, changes });

function taskChange(sim: Sim, serviceId: string, kind: Change['kind'], state: TaskState, desired: TaskState = 'running'): Change {
  const task = sim.tasks(serviceId)[0]!;
  return { table: 'task', kind, object: { ...task, Status: { ...task.Status, State: state }, DesiredState: desired } as TaskObject };
}

test('status reports of tasks moving towards running wake neither loop, outside a rolling update', async () => {
  const sim = new Sim(['n1']);
  const id = await sim.create(spec('web'));
  const orchestrator = orchestratorWants(sim.store);
  for (const state of ['assigned', 'accepted', 'preparing', 'starting', 'running'] as const) {
    assert.equal(orchestrator(event(taskChange(sim, id, 'update', state))), false, state);
    assert.equal(schedulerWants(event(taskChange(sim, id, 'update', state))), false, state);
  }
  assert.equal(orchestrator(event(taskChange(sim, id, 'create', 'pending'))), false, 'a task the orchestrator made, with its addresses');
  assert.equal(schedulerWants(event(taskChange(sim, id, 'create', 'pending'))), true, 'a task to place');
});

test('the loops wake for ended, stopping, unallocated and deleted tasks, for nodes, and for everything during an update', async () => {
  const sim = new Sim(['n1']);
  const id = await sim.create(spec('web'));
  const orchestrator = orchestratorWants(sim.store);
  const both = (e: CommitEvent) => [orchestrator(e), schedulerWants(e)];
  for (const state of ['failed', 'complete', 'rejected', 'shutdown', 'orphaned'] as const) assert.deepEqual(both(event(taskChange(sim, id, 'update', state))), [true, true], state);
  assert.deepEqual(both(event(taskChange(sim, id, 'update', 'running', 'shutdown'))), [true, true]);
  assert.deepEqual(both(event(taskChange(sim, id, 'delete', 'running'))), [true, true]);
  assert.equal(orchestrator(event(taskChange(sim, id, 'update', 'new'))), true);
  const node = sim.store.get('node', 'n1')!;
  assert.deepEqual(both(event({ table: 'node', kind: 'update', object: node })), [true, true]);
  assert.deepEqual(both(event()), [true, true], 'a restored snapshot');
  assert.equal(orchestrator(event({ table: 'service', kind: 'update', object: sim.store.get('service', id)! })), true);
  await sim.update(id, (s) => (s.TaskTemplate.ContainerSpec.Image = 'busybox:2'));
  assert.equal(sim.store.get('service', id)!.UpdateStatus?.State, 'updating');
  assert.equal(orchestrator(event(taskChange(sim, id, 'update', 'running'))), true, 'a rolling update waits for tasks to run');
});
