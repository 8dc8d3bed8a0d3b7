// A pass over many tasks pauses between steps so the leader's event loop runs meanwhile (Raft ticks,
// heartbeats): it decides exactly what the whole pass decides, reads the store as it was when it began,
// and a transaction refused because the store changed during a pause is decided again at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStatusReports } from '../../src/tasks/status-reports.js';
import { Orchestrator } from '../../src/orchestrator/orchestrator.js';
import { orchestrate, orchestrateInSteps } from '../../src/orchestrator/orchestrate.js';
import { STEP } from '../../src/orchestrator/steps.js';
import { Sim, spec, T0_MS } from './sim.js';

const REPLICAS = 2 * STEP + 10;

test('a pass over more slots than a step pauses, and decides what the whole pass decides', async () => {
  const sim = new Sim(['n1', 'n2']);
  await sim.create(spec('web', { Mode: { Replicated: { Replicas: 3 } } }));
  const service = sim.store.list('service')[0]!;
  sim.control.commit([{ op: 'update', table: 'service', object: { ...service, Spec: { ...service.Spec, Mode: { Replicated: { Replicas: REPLICAS } } } } }]);
  const input = () => {
    let ids = 0;
    return { view: sim.store, nowMs: T0_MS, newId: () => `x${++ids}`, rollout: new Map() };
  };
  const steps = orchestrateInSteps(input());
  let pauses = 0;
  let step = steps.next();
  for (; !step.done; step = steps.next()) pauses++;
  assert.ok(pauses >= 2, `paused ${pauses} times`);
  assert.deepEqual(step.value.transactions(), orchestrate(input()).transactions());
  assert.equal(step.value.transactions().flat().filter((a) => a.op === 'create').length, REPLICAS - 3);
});

test('a frozen view keeps the store as it was when taken', async () => {
  const sim = new Sim(['n1']);
  const id = await sim.create(spec('web'));
  const view = sim.store.frozenView();
  const before = { index: sim.store.appliedIndex, tasks: sim.tasks(id).length, service: sim.store.get('service', id) };
  await sim.update(id, (s) => (s.Mode.Replicated.Replicas = 5));
  assert.equal(sim.tasks(id).length, 5);
  assert.equal(view.appliedIndex, before.index);
  assert.equal(view.list('task').length, before.tasks);
  assert.equal(view.get('service', id), before.service);
  assert.equal(view.findByName('service', 'web'), before.service);
});

test('a transaction refused because a task changed during a pause is decided again without waiting for another commit', async (t) => {
  const sim = new Sim(['n1', 'n2']);
  // Many slots, so the pass pauses; and one task on n1, whose retirement is the pass's only write.
  await sim.create(spec('many', { Mode: { Replicated: { Replicas: REPLICAS } } }, { Placement: { Constraints: ['node.hostname==n2'] } }));
  // A restart delay of an hour: no wake-up of the loop comes to the rescue within the test.
  const id = await sim.create(spec('one', { Mode: { Replicated: { Replicas: 1 } } }, { Placement: { Constraints: ['node.hostname==n1'] }, RestartPolicy: { Delay: 3600e9 } }));
  await sim.agentsConverge();
  const onN1 = sim.live(id);
  assert.deepEqual(onN1.map((task) => [task.NodeID, task.Status.State]), [['n1', 'running']]);
  let ids = 0;
  let refused = 0;
  const orchestrator = new Orchestrator({
    store: sim.store,
    commit: async (actions) => {
      try {
        sim.control.commit(actions);
      } catch (err) {
        refused++;
        throw err;
      }
    },
    nowMs: () => sim.nowMs,
    newId: () => `o${++ids}`,
    onFatal: (name, err) => assert.fail(`${name}: ${String(err)}`),
  });
  t.after(() => orchestrator.stop());
  orchestrator.run();
  await orchestrator.idle();
  // n1 goes down: the next pass retires its tasks. While it pauses, n1's agent reports one of them
  // once more (a change the orchestrator does not wake for), so the pass's write of it is refused.
  const victim = onN1[0]!;
  const frozenView = sim.store.frozenView.bind(sim.store);
  sim.store.frozenView = () => {
    const view = frozenView();
    // After the pass's first step, before its second.
    setImmediate(() => void applyStatusReports(sim.control.ctx, { nodeId: 'n1', reports: [{ taskId: victim.ID, status: { ...victim.Status, Message: 'still running' } }] }));
    sim.store.frozenView = frozenView;
    return view;
  };
  const n1 = sim.store.get('node', 'n1')!;
  sim.control.commit([{ op: 'update', table: 'node', object: { ...n1, Status: { ...n1.Status, State: 'down' } } }]);
  const deadline = Date.now() + 10_000;
  while (sim.store.get('task', victim.ID)!.DesiredState === 'running' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(refused, 1, 'the report landed during the pass');
  assert.equal(sim.store.get('task', victim.ID)!.DesiredState, 'shutdown');
});
