import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceStatus } from '../../src/control/service-ops.js';
import { listTasks } from '../../src/control/task-ops.js';
import { perNode, Sim, spec } from './sim.js';

test('a replicated service gets one task per slot, spread over the nodes, and converges to running', async () => {
  const sim = new Sim(['n1', 'n2']);
  const id = await sim.create(spec('web'));
  const tasks = sim.live(id);
  assert.deepEqual(tasks.map((t) => t.Slot).sort(), [1, 2, 3]);
  assert.ok(tasks.every((t) => t.Status.State === 'assigned' && t.Status.Message === 'scheduler assigned task to node'));
  assert.deepEqual(Object.values(perNode(tasks)).sort(), [1, 2]);
  assert.deepEqual(serviceStatus(sim.store, sim.store.get('service', id)!), { RunningTasks: 0, DesiredTasks: 3, CompletedTasks: 0 });
  await sim.agentsConverge();
  assert.deepEqual(serviceStatus(sim.store, sim.store.get('service', id)!), { RunningTasks: 3, DesiredTasks: 3, CompletedTasks: 0 });
});

test('scaling up adds slots and scaling down removes the highest ones, deleted once stopped', async () => {
  const sim = new Sim(['n1', 'n2']);
  const id = await sim.create(spec('web'));
  await sim.agentsConverge();
  await sim.update(id, (s) => (s.Mode.Replicated.Replicas = 5));
  await sim.agentsConverge();
  assert.deepEqual(sim.live(id).map((t) => t.Slot).sort(), [1, 2, 3, 4, 5]);
  assert.equal(serviceStatus(sim.store, sim.store.get('service', id)!).RunningTasks, 5);
  assert.equal(sim.store.get('service', id)!.UpdateStatus, undefined, 'scaling is not a rolling update');
  await sim.update(id, (s) => (s.Mode.Replicated.Replicas = 2));
  assert.deepEqual(sim.tasks(id).filter((t) => t.DesiredState === 'remove').map((t) => t.Slot).sort(), [3, 4, 5]);
  await sim.agentsConverge();
  assert.deepEqual(sim.tasks(id).map((t) => t.Slot).sort(), [1, 2], 'removed tasks are deleted once shut down');
});

test('a failed task is replaced after the restart delay, and no more than MaxAttempts times', async () => {
  const sim = new Sim(['n1']);
  const id = await sim.create(spec('web', { Mode: { Replicated: { Replicas: 1 } } }, { RestartPolicy: { Condition: 'on-failure', Delay: 2e9, MaxAttempts: 1 } }));
  await sim.agentsConverge();
  await sim.report(() => true, 'failed', { Err: 'task: non-zero exit (1)' });
  assert.equal(sim.live(id).length, 0, 'no replacement before the delay');
  assert.equal(sim.wakeAtMs, sim.nowMs + 2000);
  sim.nowMs += 2000;
  sim.settle();
  assert.equal(sim.live(id).length, 1);
  assert.equal(sim.live(id)[0]!.Slot, 1);
  await sim.agentsConverge();
  await sim.report((t) => t.DesiredState === 'running', 'failed', { Err: 'task: non-zero exit (1)' });
  sim.nowMs += 10_000;
  sim.settle();
  assert.equal(sim.live(id).length, 0, 'the second failure exceeds MaxAttempts=1');
  assert.deepEqual(sim.tasks(id).map((t) => [t.DesiredState, t.Status.State]), [['shutdown', 'failed'], ['shutdown', 'failed']]);
});

test('a task that completes is not restarted under on-failure, and is under any', async () => {
  const sim = new Sim(['n1']);
  const onFailure = await sim.create(spec('a', { Mode: { Replicated: { Replicas: 1 } } }, { RestartPolicy: { Condition: 'on-failure', Delay: 0 } }));
  const any = await sim.create(spec('b', { Mode: { Replicated: { Replicas: 1 } } }, { RestartPolicy: { Condition: 'any', Delay: 0 } }));
  await sim.agentsConverge();
  await sim.report(() => true, 'complete');
  assert.equal(sim.live(onFailure).length, 0);
  assert.equal(sim.live(any).length, 1);
});

test('tasks of a node that goes down are orphaned and rescheduled on the others', async () => {
  const sim = new Sim(['n1', 'n2']);
  const id = await sim.create(spec('web', {}, { RestartPolicy: { Delay: 0 } }));
  await sim.agentsConverge();
  const onN1 = sim.live(id).filter((t) => t.NodeID === 'n1').map((t) => t.ID);
  assert.ok(onN1.length > 0);
  sim.setNode('n1', { state: 'down' });
  for (const tid of onN1) {
    const t = sim.store.get('task', tid)!;
    assert.equal(t.Status.State, 'orphaned');
    assert.equal(t.DesiredState, 'shutdown');
  }
  await sim.agentsConverge();
  assert.deepEqual(perNode(sim.live(id)), { n2: 3 });
  assert.equal(serviceStatus(sim.store, sim.store.get('service', id)!).RunningTasks, 3);
});

test('draining a node stops its tasks first and then starts them elsewhere; pause takes no new tasks', async () => {
  const sim = new Sim(['n1', 'n2', 'n3']);
  const id = await sim.create(spec('web'));
  await sim.agentsConverge();
  sim.setNode('n1', { availability: 'drain' });
  const stopping = sim.tasks(id).filter((t) => t.NodeID === 'n1');
  assert.ok(stopping.every((t) => t.DesiredState === 'shutdown' && t.Status.State === 'running'));
  assert.equal(sim.live(id).length, 2, 'stop-first: the replacement waits for the old task to stop');
  sim.setNode('n2', { availability: 'pause' });
  await sim.agentsConverge();
  assert.deepEqual(Object.keys(perNode(sim.live(id))).sort(), ['n2', 'n3'].filter((n) => perNode(sim.live(id))[n]));
  assert.ok(sim.live(id).filter((t) => t.NodeID === 'n2').length <= 1, 'the paused node got no new task');
  assert.equal(serviceStatus(sim.store, sim.store.get('service', id)!).RunningTasks, 3);
});

/** Lets the rollout's monitor period (ms) pass. */
async function monitorPasses(sim: Sim, ms: number): Promise<void> {
  sim.nowMs += ms;
  sim.settle();
}

test('a rolling update replaces one task at a time (stop-first), marks the update completed, and _up-to-date follows', async () => {
  const sim = new Sim(['n1', 'n2']);
  const id = await sim.create(spec('web'));
  await sim.agentsConverge();
  await sim.update(id, (s) => (s.TaskTemplate.ContainerSpec.Image = 'busybox:2'));
  assert.equal(sim.store.get('service', id)!.UpdateStatus?.State, 'updating');
  const stopping = sim.tasks(id).filter((t) => t.DesiredState === 'shutdown');
  assert.equal(stopping.length, 1, 'parallelism 1');
  const upToDate = () => listTasks(sim.control.ctx, { filters: { service: [id], '_up-to-date': ['true'] } });
  // As swarmkit: the successor exists at once, to be prepared while its predecessor stops.
  const successor = upToDate();
  assert.deepEqual(successor.map((t) => [t.Slot, t.DesiredState, t.Status.State]), [[stopping[0]!.Slot, 'ready', 'assigned']]);
  await sim.report((t) => t.DesiredState === 'ready', 'ready');
  assert.equal(sim.store.get('task', successor[0]!.ID)!.DesiredState, 'ready', 'not started while its predecessor runs');
  await sim.report((t) => t.ID === stopping[0]!.ID, 'shutdown');
  assert.equal(sim.store.get('task', successor[0]!.ID)!.DesiredState, 'running', 'started once its predecessor stopped');
  await sim.agentsConverge();
  assert.equal(sim.store.get('service', id)!.UpdateStatus?.State, 'updating', 'the last batch is watched for UpdateConfig.Monitor (5 s) first');
  assert.equal(sim.wakeAtMs, sim.nowMs + 5000);
  sim.nowMs += 4999;
  sim.settle();
  assert.equal(sim.store.get('service', id)!.UpdateStatus?.State, 'updating');
  sim.nowMs += 1;
  sim.settle();
  const service = sim.store.get('service', id)!;
  assert.equal(service.UpdateStatus?.State, 'completed');
  assert.equal(service.UpdateStatus?.Message, 'update completed');
  assert.equal(service.UpdateStatus?.CompletedAt, new Date(sim.nowMs).toISOString());
  assert.deepEqual(sim.live(id).map((t) => t.Spec.ContainerSpec?.Image), ['busybox:2', 'busybox:2', 'busybox:2']);
  assert.equal(upToDate().filter((t) => t.DesiredState === 'running').length, 3);
  assert.equal(service.PreviousSpec?.TaskTemplate.ContainerSpec?.Image, 'busybox');
});

test('a rollback with RollbackConfig.Monitor 1s completes 1 s after its last task runs; a new update restarts the watch', async () => {
  const sim = new Sim(['n1']);
  const id = await sim.create(spec('web', { Mode: { Replicated: { Replicas: 2 } }, RollbackConfig: { Monitor: 1e9 } }));
  await sim.agentsConverge();
  await sim.update(id, (s) => (s.TaskTemplate.ContainerSpec.Env = ['A=1']));
  await sim.agentsConverge();
  sim.nowMs += 3000;
  await sim.update(id, (s) => (s.TaskTemplate.ContainerSpec.Env = ['A=2']));
  await sim.agentsConverge();
  sim.nowMs += 3000;
  sim.settle();
  assert.equal(sim.store.get('service', id)!.UpdateStatus?.State, 'updating', 'the second update watches its own last batch for 5 s');
  await monitorPasses(sim, 2000);
  assert.equal(sim.store.get('service', id)!.UpdateStatus?.State, 'completed');
  await sim.update(id, () => {}, true);
  await sim.agentsConverge();
  assert.equal(sim.store.get('service', id)!.UpdateStatus?.State, 'rollback_started');
  await monitorPasses(sim, 1000);
  assert.equal(sim.store.get('service', id)!.UpdateStatus?.State, 'rollback_completed');
  assert.deepEqual(sim.live(id).map((t) => t.Spec.ContainerSpec?.Env), [['A=1'], ['A=1']]);
});

test('start-first keeps the old task until its replacement runs; rollback returns to the previous spec', async () => {
  const sim = new Sim(['n1']);
  const id = await sim.create(spec('web', { Mode: { Replicated: { Replicas: 1 } }, UpdateConfig: { Order: 'start-first' } }));
  await sim.agentsConverge();
  const old = sim.live(id)[0]!;
  await sim.update(id, (s) => s.TaskTemplate.ContainerSpec.Env = ['A=1']);
  assert.equal(sim.live(id).length, 2, 'old and new side by side');
  await sim.agentsConverge();
  assert.equal(sim.store.get('task', old.ID)?.DesiredState ?? 'deleted', 'shutdown');
  await monitorPasses(sim, 5000);
  assert.equal(sim.store.get('service', id)!.UpdateStatus?.State, 'completed');
  await sim.update(id, () => {}, true);
  assert.equal(sim.store.get('service', id)!.UpdateStatus?.State, 'rollback_started');
  await sim.agentsConverge();
  await monitorPasses(sim, 5000);
  const service = sim.store.get('service', id)!;
  assert.equal(service.UpdateStatus?.State, 'rollback_completed');
  assert.equal(service.Spec.TaskTemplate.ContainerSpec?.Env, undefined);
  assert.deepEqual(sim.live(id).map((t) => t.Spec.ContainerSpec?.Env), [undefined]);
});

test('a new task failing during an update pauses it, or rolls it back with FailureAction rollback', async () => {
  for (const action of ['pause', 'rollback'] as const) {
    const sim = new Sim(['n1']);
    const id = await sim.create(spec('web', { Mode: { Replicated: { Replicas: 2 } }, UpdateConfig: { FailureAction: action } }, { RestartPolicy: { Delay: 0 } }));
    await sim.agentsConverge();
    await sim.update(id, (s) => (s.TaskTemplate.ContainerSpec.Image = 'nosuch'));
    await sim.report((t) => t.DesiredState === 'shutdown' && t.Status.State === 'running', 'shutdown');
    sim.nowMs += 1000;
    await sim.report((t) => t.Spec.ContainerSpec?.Image === 'nosuch' && t.DesiredState === 'running', 'rejected', { Err: 'No such image: nosuch' });
    const service = sim.store.get('service', id)!;
    if (action === 'pause') {
      assert.equal(service.UpdateStatus?.State, 'paused');
      assert.match(service.UpdateStatus?.Message ?? '', /^update paused due to failure or early termination of task /);
    } else {
      assert.equal(service.UpdateStatus?.State, 'rollback_started');
      assert.equal(service.Spec.TaskTemplate.ContainerSpec?.Image, 'busybox');
      await sim.agentsConverge();
      await monitorPasses(sim, 5000);
      assert.equal(sim.store.get('service', id)!.UpdateStatus?.State, 'rollback_completed');
      assert.deepEqual(sim.live(id).map((t) => t.Spec.ContainerSpec?.Image), ['busybox', 'busybox']);
    }
  }
});

test('removing a service removes its tasks once they have stopped; history is limited per slot', async () => {
  const sim = new Sim(['n1']);
  const id = await sim.create(spec('web', { Mode: { Replicated: { Replicas: 1 } } }, { RestartPolicy: { Delay: 0 } }));
  for (let i = 0; i < 7; i++) {
    await sim.agentsConverge();
    await sim.report((t) => t.DesiredState === 'running', 'failed');
  }
  assert.equal(sim.tasks(id).length, 5, 'TaskHistoryRetentionLimit 5');
  await sim.agentsConverge();
  sim.control.commit([{ op: 'delete', table: 'service', id }]);
  sim.settle();
  assert.ok(sim.tasks(id).length > 0 && sim.tasks(id).every((t) => t.DesiredState === 'remove' || t.Status.State !== 'running'));
  await sim.agentsConverge();
  assert.equal(sim.tasks(id).length, 0);
});
