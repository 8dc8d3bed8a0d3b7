import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuntimeError, type ContainerRecord, type ContainerRuntime, type ContainerSpec } from '../../src/runtime/types.js';
import type { AssignedTask, TaskState, TaskStatus } from '../../src/worker/task.js';
import { Worker } from '../../src/worker/worker.js';

/** Containers in memory: images it knows run until stopped; exit() ends one with a code. */
class FakeRuntime implements ContainerRuntime {
  readonly records = new Map<string, ContainerRecord>();
  readonly #waiters = new Map<string, ((code: number) => void)[]>();
  constructor(readonly images: readonly string[]) {}
  async create(spec: ContainerSpec): Promise<ContainerRecord> {
    if (!this.images.includes(spec.image)) throw new RuntimeError('not-found', `No such image: ${spec.image}`);
    const record: ContainerRecord = { spec, imageId: 'sha256:x', createdAt: '', state: { status: 'created', pid: 0, exitCode: null, startedAt: null, finishedAt: null, error: '' } };
    this.records.set(spec.id, record);
    return record;
  }
  async start(id: string): Promise<void> {
    this.#set(id, { status: 'running', pid: 4242, exitCode: null });
  }
  wait(id: string): Promise<number> {
    const r = this.records.get(id);
    if (r?.state.status === 'exited') return Promise.resolve(r.state.exitCode ?? 0);
    return new Promise((resolve) => this.#waiters.set(id, [...(this.#waiters.get(id) ?? []), resolve]));
  }
  async stop(id: string): Promise<void> {
    this.exit(id, 143);
  }
  async kill(id: string): Promise<void> {
    this.exit(id, 137);
  }
  async remove(id: string): Promise<void> {
    this.records.delete(id);
  }
  get(id: string): ContainerRecord | undefined {
    return this.records.get(id) ?? [...this.records.values()].find((r) => r.spec.name === id);
  }
  list(): readonly ContainerRecord[] {
    return [...this.records.values()];
  }
  // eslint-disable-next-line require-yield
  async *logs(): AsyncIterable<never> {}
  subscribe(): () => void {
    return () => {};
  }
  exit(id: string, code: number): void {
    if (this.records.get(id)?.state.status !== 'running') return;
    this.#set(id, { status: 'exited', pid: 0, exitCode: code });
    for (const w of this.#waiters.get(id) ?? []) w(code);
    this.#waiters.delete(id);
  }
  #set(id: string, state: Partial<ContainerRecord['state']>): void {
    const r = this.records.get(id)!;
    this.records.set(id, { ...r, state: { ...r.state, ...state } });
  }
}

function task(id: string, image: string, desired: TaskState = 'running'): AssignedTask {
  return {
    ID: id,
    ServiceID: 'svc',
    Slot: 1,
    NodeID: 'node1',
    DesiredState: desired,
    Status: { Timestamp: '', State: 'assigned', Message: '', PortStatus: {} },
    Spec: { ContainerSpec: { Image: image, Args: ['sleep', '300'], Env: ['A=1'] } },
  };
}

function setup(images: string[]) {
  const runtime = new FakeRuntime(images);
  const reports: [string, TaskStatus][] = [];
  const worker = new Worker({ runtime, report: (id, s) => reports.push([id, s]), now: () => '2030-01-01T00:00:00Z', log: () => {} });
  const states = (id: string) => reports.filter(([t]) => t === id).map(([, s]) => s.State);
  return { runtime, worker, reports, states };
}

const names = { svc: 'web' };

test('an assigned task runs as a labelled container and reports each step up to running', async () => {
  const { runtime, worker, states, reports } = setup(['busybox']);
  await worker.apply('full', { tasks: [task('t1', 'busybox')], removed: [], serviceNames: names });
  assert.deepEqual(states('t1'), ['accepted', 'preparing', 'starting', 'running']);
  const [record] = runtime.list();
  assert.equal(record!.spec.name, 'web.1.t1');
  assert.deepEqual(record!.spec.cmd, ['sleep', '300']);
  assert.equal(record!.spec.labels?.['com.docker.swarm.task.id'], 't1');
  assert.equal(record!.spec.labels?.['com.docker.swarm.service.name'], 'web');
  assert.equal(record!.spec.labels?.['com.docker.swarm.task.name'], 'web.1.t1', 'as dockerd: service.slot.taskid');
  assert.deepEqual(reports.at(-1)![1].ContainerStatus, { ContainerID: record!.spec.id, PID: 4242, ExitCode: 0 });
});

test('a task wanted ready waits, reported ready, and gets its container only once it is wanted running', async () => {
  const { runtime, worker, states } = setup(['busybox']);
  await worker.apply('full', { tasks: [task('t1', 'busybox', 'ready')], removed: [], serviceNames: names });
  await worker.apply('incremental', { tasks: [task('t1', 'busybox', 'ready')], removed: [], serviceNames: names });
  assert.deepEqual(states('t1'), ['accepted', 'ready'], 'ready is reported once');
  assert.equal(runtime.list().length, 0, 'nothing is claimed while the predecessor may still hold the ports');
  await worker.apply('incremental', { tasks: [task('t1', 'busybox', 'running')], removed: [], serviceNames: names });
  assert.deepEqual(states('t1'), ['accepted', 'ready', 'starting', 'running']);
  assert.equal(runtime.list()[0]?.state.status, 'running');
});

test('a task wanted ready that is called off is shut down without a container', async () => {
  const { runtime, worker, states } = setup(['busybox']);
  await worker.apply('full', { tasks: [task('t1', 'busybox', 'ready')], removed: [], serviceNames: names });
  await worker.apply('incremental', { tasks: [task('t1', 'busybox', 'shutdown')], removed: [], serviceNames: names });
  assert.deepEqual(states('t1'), ['accepted', 'ready', 'shutdown']);
  assert.equal(runtime.list().length, 0);
});

test('a missing image rejects the task with Docker\'s message; an exit reports complete or failed', async () => {
  const { runtime, worker, states, reports } = setup(['busybox']);
  await worker.apply('full', { tasks: [task('t1', 'nosuch'), task('t2', 'busybox'), task('t3', 'busybox')], removed: [], serviceNames: names });
  assert.deepEqual(states('t1'), ['accepted', 'preparing', 'rejected']);
  assert.equal(reports.find(([id, s]) => id === 't1' && s.State === 'rejected')![1].Err, 'No such image: nosuch');
  const [c2, c3] = runtime.list();
  runtime.exit(c2!.spec.id, 0);
  runtime.exit(c3!.spec.id, 3);
  await new Promise((r) => setImmediate(r));
  assert.equal(states('t2').at(-1), 'complete');
  assert.equal(states('t3').at(-1), 'failed');
  assert.equal(reports.find(([id, s]) => id === 't3' && s.State === 'failed')![1].Err, 'task: non-zero exit (3)');
});

test('desired shutdown stops the container and reports shutdown; unassigned tasks lose their containers', async () => {
  const { runtime, worker, states } = setup(['busybox']);
  await worker.apply('full', { tasks: [task('t1', 'busybox'), task('t2', 'busybox')], removed: [], serviceNames: names });
  await worker.apply('incremental', { tasks: [task('t1', 'busybox', 'shutdown')], removed: [], serviceNames: names });
  assert.equal(states('t1').at(-1), 'shutdown');
  assert.equal(runtime.list().find((r) => r.spec.name === 'web.1.t1')?.state.status, 'exited');
  await worker.apply('incremental', { tasks: [], removed: ['t1'], serviceNames: {} });
  await worker.apply('full', { tasks: [], removed: [], serviceNames: {} });
  assert.equal(runtime.list().length, 0, 'a full assignment without t2 removes its container too');
  assert.deepEqual(worker.taskIds, []);
});

test('after a restart the worker adopts the running container of an assigned task instead of starting another', async () => {
  const { runtime, worker } = setup(['busybox']);
  await worker.apply('full', { tasks: [task('t1', 'busybox')], removed: [], serviceNames: names });
  worker.stop();
  const id = runtime.list()[0]!.spec.id;
  const reports: TaskStatus[] = [];
  const again = new Worker({ runtime, report: (_id, s) => reports.push(s), log: () => {} });
  await again.apply('full', { tasks: [{ ...task('t1', 'busybox'), Status: { Timestamp: '', State: 'running', Message: 'started', PortStatus: {} } }], removed: [], serviceNames: names });
  assert.equal(runtime.list().length, 1);
  assert.deepEqual(reports.map((s) => [s.State, s.ContainerStatus?.ContainerID]), [['running', id]], 'the adopted container is reported, not replaced');
  runtime.exit(id, 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(reports.at(-1)?.State, 'failed', 'and followed until it exits');
});

test('a restarted worker stops the still-running container of a task the managers already hold orphaned, and keeps it assigned', async () => {
  const { runtime, worker } = setup(['busybox']);
  await worker.apply('full', { tasks: [task('t1', 'busybox')], removed: [], serviceNames: names });
  worker.stop();
  const reports: TaskStatus[] = [];
  const again = new Worker({ runtime, report: (_id, s) => reports.push(s), log: () => {} });
  const orphaned = { ...task('t1', 'busybox', 'shutdown'), Status: { Timestamp: '', State: 'orphaned' as TaskState, Message: 'node down', PortStatus: {} } };
  await again.apply('full', { tasks: [orphaned], removed: [], serviceNames: names });
  assert.equal(runtime.list()[0]?.state.status, 'exited', 'nothing of a replaced task keeps running');
  assert.deepEqual(reports, [], 'a terminal task is not reported again');
  assert.deepEqual(again.taskIds, ['t1'], 'its container stays for logs until the task is deleted');
});

test('a stop that waits out its grace period does not hold up tasks assigned after it', async () => {
  const { runtime, worker, states } = setup(['busybox']);
  await worker.apply('full', { tasks: [task('t1', 'busybox')], removed: [], serviceNames: names });
  let endGrace = () => {};
  const graceOver = new Promise<void>((resolve) => (endGrace = resolve));
  runtime.stop = async (id) => {
    await graceOver;
    runtime.exit(id, 137);
  };
  try {
    const stopping = worker.apply('incremental', { tasks: [task('t1', 'busybox', 'shutdown')], removed: [], serviceNames: names });
    const bound = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 2000).unref());
    const started = await Promise.race([worker.apply('incremental', { tasks: [task('t2', 'busybox')], removed: [], serviceNames: names }), bound]);
    assert.notEqual(started, 'timeout', 't2 is applied while t1 still waits out its grace period');
    assert.equal(states('t2').at(-1), 'running');
    assert.notEqual(states('t1').at(-1), 'shutdown', 't1 is still stopping');
    endGrace();
    await stopping;
    assert.equal(states('t1').at(-1), 'shutdown');
  } finally {
    endGrace();
  }
});

test('messages are taken in in call order, even when an earlier one waits on its networks', async () => {
  const runtime = new FakeRuntime(['busybox']);
  const reports: [string, TaskStatus][] = [];
  let networksDone = () => {};
  const gate = new Promise<void>((resolve) => (networksDone = resolve));
  const calls: string[] = [];
  const networking = {
    applyNetworks: async (_kind: string, changes: { tasks: readonly AssignedTask[] }) => {
      calls.push(changes.tasks.map((t) => t.ID).join(','));
      if (calls.length === 1) await gate;
    },
    prepare: async () => undefined,
    release: async () => undefined,
  };
  const worker = new Worker({ runtime, report: (id, s) => reports.push([id, s]), networking, log: () => {} });
  try {
    const first = worker.apply('full', { tasks: [task('t1', 'busybox')], removed: [], serviceNames: names });
    const second = worker.apply('incremental', { tasks: [task('t1', 'busybox', 'shutdown')], removed: [], serviceNames: names });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(calls, ['t1'], 'the second message waits for the first to be taken in');
    networksDone();
    await Promise.all([first, second]);
    assert.deepEqual(reports.filter(([id]) => id === 't1').map(([, s]) => s.State).at(-1), 'shutdown', 'the shutdown lands after the start');
  } finally {
    networksDone();
  }
});

test('a task assigned again while its old container is still being removed gets a fresh container once the removal ends', async () => {
  const { runtime, worker, states } = setup(['busybox']);
  await worker.apply('full', { tasks: [task('t1', 'busybox')], removed: [], serviceNames: names });
  const old = runtime.list()[0]!.spec.id;
  let endGrace = () => {};
  const graceOver = new Promise<void>((resolve) => (endGrace = resolve));
  runtime.stop = async (id) => {
    await graceOver;
    runtime.exit(id, 137);
  };
  try {
    // A full message without t1 (e.g. from a leader that had not yet seen it) starts removing its container;
    // the next message assigns t1 again while that removal waits out the grace period.
    const dropping = worker.apply('full', { tasks: [], removed: [], serviceNames: {} });
    const again = worker.apply('incremental', { tasks: [task('t1', 'busybox')], removed: [], serviceNames: names });
    await new Promise((r) => setImmediate(r));
    assert.ok(runtime.get(old), 'the old container is still being removed');
    endGrace();
    await Promise.all([dropping, again]);
  } finally {
    endGrace();
  }
  const containers = runtime.list();
  assert.equal(containers.length, 1);
  assert.notEqual(containers[0]!.spec.id, old, 'the removed container is not adopted');
  assert.equal(containers[0]!.state.status, 'running');
  assert.equal(states('t1').at(-1), 'running');
});

test('a step that fails under a task (its container gone) fails the task instead of leaving it where it was', async () => {
  const { runtime, worker, states, reports } = setup(['busybox']);
  await worker.apply('full', { tasks: [task('t1', 'busybox')], removed: [], serviceNames: names });
  runtime.stop = async (id) => {
    throw new RuntimeError('not-found', `No such container: ${id}`);
  };
  await worker.apply('incremental', { tasks: [task('t1', 'busybox', 'shutdown')], removed: [], serviceNames: names });
  assert.equal(states('t1').at(-1), 'failed');
  assert.match(reports.at(-1)![1].Err ?? '', /^No such container: /);
});

test('a task\'s image is pulled while it is preparing; a failed pull rejects it with the registry\'s reason', async () => {
  const runtime = new FakeRuntime(['reg:5000/web:1']);
  const reports: [string, TaskStatus][] = [];
  const asked: string[] = [];
  const images = {
    ensure: async (image: string) => {
      asked.push(image);
      if (image.endsWith(':nope')) throw new Error('manifest for reg:5000/web:nope not found: manifest unknown: manifest unknown');
    },
  };
  const worker = new Worker({ runtime, images, report: (id, s) => reports.push([id, s]), log: () => {} });
  await worker.apply('full', { tasks: [task('t1', 'reg:5000/web:1'), task('t2', 'reg:5000/web:nope')], removed: [], serviceNames: names });
  assert.deepEqual(asked.sort(), ['reg:5000/web:1', 'reg:5000/web:nope']);
  assert.deepEqual(reports.filter(([t]) => t === 't1').map(([, s]) => s.State), ['accepted', 'preparing', 'starting', 'running']);
  const last = reports.filter(([t]) => t === 't2').at(-1)![1];
  assert.equal(last.State, 'rejected');
  assert.equal(last.Err, 'manifest for reg:5000/web:nope not found: manifest unknown: manifest unknown');
  assert.equal(runtime.list().length, 1, 'no container for the task whose image could not be pulled');
});
