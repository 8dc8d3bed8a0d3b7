import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createService } from '../../src/control/service-ops.js';
import { orchestrate } from '../../src/orchestrator/orchestrate.js';
import { schedule } from '../../src/scheduler/schedule.js';
import { perNode, Sim, spec } from '../orchestrator/sim.js';

test('a task no node can take stays pending with Docker\'s reason, and is placed once a node fits', async () => {
  const sim = new Sim(['n1', 'n2']);
  sim.setNode('n2', { state: 'down' });
  const id = await sim.create(spec('web', { Mode: { Replicated: { Replicas: 1 } } }, { Placement: { Constraints: ['node.labels.zone==b'] } }));
  const [task] = sim.live(id);
  assert.equal(task!.Status.State, 'pending');
  assert.equal(task!.Status.Message, 'pending task scheduling');
  assert.equal(task!.Status.Err, 'no suitable node (1 node not available for new tasks; scheduling constraints not satisfied on 1 node)');
  const node = sim.store.get('node', 'n1')!;
  sim.control.commit([{ op: 'update', table: 'node', object: { ...node, Spec: { ...node.Spec, Labels: { zone: 'b' } } } }]);
  sim.settle();
  assert.equal(sim.store.get('task', task!.ID)!.Status.State, 'assigned');
  assert.equal(sim.store.get('task', task!.ID)!.NodeID, 'n1');
});

test('constraints on node.hostname, node.role and engine labels, with == and !=', async () => {
  const sim = new Sim([]);
  sim.control.addNode({ id: 'm', hostname: 'mgr', role: 'manager' });
  sim.control.addNode({ id: 'w', hostname: 'wrk', engineLabels: { disk: 'SSD' } });
  const place = async (name: string, constraints: string[]) => {
    const id = await sim.create(spec(name, { Mode: { Replicated: { Replicas: 1 } } }, { Placement: { Constraints: constraints } }));
    return sim.live(id)[0]!.NodeID;
  };
  assert.equal(await place('a', ['node.role==manager']), 'm');
  assert.equal(await place('b', ['node.role!=manager']), 'w');
  assert.equal(await place('c', ['node.hostname==wrk']), 'w');
  assert.equal(await place('d', ['engine.labels.disk==ssd']), 'w');
  assert.equal(await place('e', ['node.id==m']), 'm');
  assert.equal(await place('f', ['node.labels.missing!=x', 'node.hostname!=wrk']), 'm');
});

test('max replicas per node and resource reservations bound what a node takes', async () => {
  const sim = new Sim(['n1', 'n2']);
  const id = await sim.create(spec('web', {}, { Placement: { MaxReplicas: 1 } }));
  const tasks = sim.live(id);
  assert.deepEqual(perNode(tasks), { n1: 1, n2: 1 });
  const pending = tasks.find((t) => t.Status.State === 'pending');
  assert.equal(pending?.Status.Err, 'no suitable node (max replicas per node limit exceed)');
  const big = await sim.create(spec('big', { Mode: { Replicated: { Replicas: 1 } } }, { Resources: { Reservations: { MemoryBytes: 1 } } }));
  assert.equal(sim.live(big)[0]!.Status.Err, 'no suitable node (insufficient resources on 2 nodes)');
});

test('platforms from the image place tasks only on nodes of those platforms, x86_64 being amd64', async () => {
  const sim = new Sim([]);
  sim.control.addNode({ id: 'x', hostname: 'x', platform: { OS: 'linux', Architecture: 'x86_64' } });
  sim.control.addNode({ id: 'a', hostname: 'a', platform: { OS: 'linux', Architecture: 'aarch64' } });
  const place = async (name: string, platforms: { OS?: string; Architecture?: string }[]) => {
    const id = await sim.create(spec(name, { Mode: { Replicated: { Replicas: 1 } } }, { Placement: { Platforms: platforms } }));
    return sim.live(id)[0]!;
  };
  assert.equal((await place('amd', [{ OS: 'linux', Architecture: 'amd64' }])).NodeID, 'x');
  assert.equal((await place('arm', [{ OS: 'linux', Architecture: 'arm64' }, { OS: 'windows', Architecture: 'amd64' }])).NodeID, 'a');
  assert.equal((await place('s390', [{ OS: 'linux', Architecture: 's390x' }])).Status.Err, 'no suitable node (unsupported platform on 2 nodes)');
});

test('spread preferences balance replicas over label values before nodes', async () => {
  const sim = new Sim([]);
  sim.control.addNode({ id: 'a1', hostname: 'a1', labels: { zone: 'a' } });
  sim.control.addNode({ id: 'a2', hostname: 'a2', labels: { zone: 'a' } });
  sim.control.addNode({ id: 'b1', hostname: 'b1', labels: { zone: 'b' } });
  const id = await sim.create(spec('web', { Mode: { Replicated: { Replicas: 4 } } }, { Placement: { Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }] } }));
  assert.deepEqual(perNode(sim.live(id)), { a1: 1, a2: 1, b1: 2 });
});

test('a global service runs one task on every eligible node, follows new and drained nodes', async () => {
  const sim = new Sim(['n1', 'n2']);
  const id = await sim.create(spec('agent', { Mode: { Global: {} } }));
  await sim.agentsConverge();
  assert.deepEqual(perNode(sim.live(id)), { n1: 1, n2: 1 });
  assert.ok(sim.live(id).every((t) => t.Slot === 0 && t.Status.State === 'running'));
  sim.control.addNode({ id: 'n3', hostname: 'n3' });
  sim.settle();
  sim.setNode('n1', { availability: 'drain' });
  await sim.agentsConverge();
  assert.deepEqual(perNode(sim.live(id)), { n2: 1, n3: 1 });
});

test('a replacement avoids the node where the service\'s task was just rejected', async () => {
  const sim = new Sim(['n1', 'n2']);
  const id = await sim.create(spec('web', { Mode: { Replicated: { Replicas: 1 } } }, { RestartPolicy: { Delay: 0 } }));
  const first = sim.live(id)[0]!;
  await sim.report((t) => t.ID === first.ID, 'rejected', { Err: 'No such image: busybox' });
  const [second] = sim.live(id);
  assert.notEqual(second!.NodeID, first.NodeID);
});

test('a pass writes at most its budget of tasks, oldest first, asks to run again, and tasks no node can take do not use it up', async () => {
  const sim = new Sim(['n1']);
  sim.setNode('n1', { availability: 'pause' });
  const stuck = await sim.create(spec('stuck', { Mode: { Replicated: { Replicas: 3 } } }));
  let ids = 0;
  const web = await createService(sim.control.ctx, spec('web', { Mode: { Replicated: { Replicas: 5 } } }, { Placement: { Constraints: ['node.labels.ok==yes'] } }));
  for (const actions of orchestrate({ view: sim.store, nowMs: sim.nowMs, newId: () => `w${++ids}`, rollout: new Map() }).transactions()) sim.control.commit(actions);
  const node = sim.store.get('node', 'n1')!;
  sim.control.commit([{ op: 'update', table: 'node', object: { ...node, Spec: { ...node.Spec, Availability: 'active' } } }]);
  const writes: number[] = [];
  const pass = () => schedule(sim.store, new Date(sim.nowMs).toISOString(), 2);
  for (let i = 0; i < 10; i++) {
    const plan = pass();
    const txns = plan.transactions();
    writes.push(txns.flat().length);
    for (const actions of txns) sim.control.commit(actions);
    if (plan.wakeAtMs === undefined) break;
    assert.equal(plan.wakeAtMs, sim.nowMs);
  }
  // 3 placements, then 5 explanations, 2 per pass.
  assert.deepEqual(writes, [2, 2, 2, 2]);
  assert.ok(sim.live(stuck).every((t) => t.Status.State === 'assigned'), 'the oldest tasks are placed first');
  assert.deepEqual(new Set(sim.live(web.ID).map((t) => t.Status.Err)), new Set(['no suitable node (scheduling constraints not satisfied on 1 node)']));
  assert.equal(pass().transactions().length, 0, 'explained tasks cost nothing on later passes');
});
