// The Dispatcher on a fake host: a real MemoryStore whose commits apply at once, and mocked timers
// and Date so heartbeat periods pass without waiting.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionMessage } from '@shoal/proto';
import { ControlError } from '../../src/control/errors.js';
import { Dispatcher, type DispatcherHost, type SessionSink } from '../../src/dispatcher/dispatcher.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { NodeObject } from '../../src/store/objects.js';
import type { Action } from '../../src/store/transaction.js';
import { defaultClusterSpec } from '../../src/control/defaults.js';

const PERIOD_MS = 1000;

/** Session messages go out once the commits of a turn are applied. */
const turn = () => new Promise((resolve) => setImmediate(resolve));
const TIME = '2030-01-15T12:00:00.000Z';

class Host implements DispatcherHost {
  readonly store = new MemoryStore();
  readonly nodeId = 'manager1';
  leader = true;
  #index = 0;
  isLeader = () => this.leader;
  leaderAddr = () => (this.leader ? '10.0.0.1:2377' : '10.0.0.2:2377');
  managerPeers = (): { nodeId: string; addr: string }[] => [{ nodeId: 'manager1', addr: '10.0.0.1:2377' }];
  readonly unreachable = new Set<string>();
  managerUnreachable = (id: string) => this.unreachable.has(id);
  log = () => {};
  async commit(actions: readonly Action[]): Promise<void> {
    this.apply(actions);
  }
  apply(actions: readonly Action[]): void {
    const r = this.store.apply(++this.#index, { actions, time: TIME });
    if (!r.ok) throw new ControlError('internal', r.refusal.message);
  }
  state(id: string): NodeObject['Status']['State'] | undefined {
    return this.store.get('node', id)?.Status.State;
  }
}

class Sink implements SessionSink {
  readonly messages: SessionMessage[] = [];
  ended = false;
  write(m: SessionMessage): void {
    this.messages.push(m);
  }
  end(): void {
    this.ended = true;
  }
}

function setup(t: TestContext, nodes: { id: string; state?: NodeObject['Status']['State'] }[]) {
  t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: 1_000_000 });
  const host = new Host();
  host.apply([
    {
      op: 'create',
      table: 'cluster',
      object: {
        ID: 'cluster1',
        Spec: { ...defaultClusterSpec, Dispatcher: { HeartbeatPeriod: PERIOD_MS * 1_000_000 } },
        DefaultAddrPool: [],
        SubnetSize: 24,
        DataPathPort: 4789,
        JoinTokens: { Worker: 'w', Manager: 'm' },
        RootCA: { CertPem: '', KeyPem: '' },
      },
    },
    ...nodes.map(({ id, state }): Action => ({
      op: 'create',
      table: 'node',
      object: { ID: id, Spec: { Labels: {}, Role: 'worker', Availability: 'active' }, Description: { Hostname: id }, Status: { State: state ?? 'unknown', Addr: '' } },
    })),
  ]);
  const dispatcher = new Dispatcher(host);
  t.after(() => dispatcher.stop());
  return { host, dispatcher };
}

/** Advances mocked time in check-sized steps, letting the commits of each check settle. */
async function advance(t: TestContext, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 50) {
    t.mock.timers.tick(Math.min(50, left));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('opening a session marks the node ready with its description and address, and tells it its role', async (t) => {
  const { host, dispatcher } = setup(t, [{ id: 'worker1' }]);
  const sink = new Sink();
  const sessionId = await dispatcher.open('worker1', { Hostname: 'w1-host', Platform: { OS: 'linux' } }, '10.0.0.5', sink);
  const node = host.store.get('node', 'worker1')!;
  assert.equal(node.Status.State, 'ready');
  assert.equal(node.Status.Addr, '10.0.0.5');
  assert.deepEqual(node.Description, { Hostname: 'w1-host', Platform: { OS: 'linux' } });
  assert.deepEqual(sink.messages, [
    { sessionId, managers: [{ nodeId: 'manager1', addr: '10.0.0.1:2377' }], heartbeatPeriodMs: PERIOD_MS, desiredRole: 'worker', availability: 'active', networkBootstrapKeys: [] },
  ]);
});

test('a heartbeating node stays ready; one that stops is marked down after 3 missed periods, not before', async (t) => {
  const { host, dispatcher } = setup(t, [{ id: 'worker1' }]);
  const sink = new Sink();
  const sessionId = await dispatcher.open('worker1', { Hostname: 'w1' }, '10.0.0.5', sink);
  for (let i = 0; i < 5; i++) {
    await advance(t, PERIOD_MS);
    const next = dispatcher.heartbeat(sessionId);
    assert.ok(next >= PERIOD_MS && next < PERIOD_MS * 1.1, `next beat in ${next} ms`);
  }
  assert.equal(host.state('worker1'), 'ready');
  await advance(t, 3 * PERIOD_MS - 100);
  assert.equal(host.state('worker1'), 'ready', 'still inside the grace period');
  assert.equal(sink.ended, false);
  await advance(t, 700);
  assert.equal(host.state('worker1'), 'down');
  assert.equal(sink.ended, true);
  assert.throws(() => dispatcher.heartbeat(sessionId), (e: unknown) => e instanceof ControlError && e.code === 'not-found' && e.message === 'session invalid');
});

test('a node that reopens its session inside the grace period is never marked down', async (t) => {
  const { host, dispatcher } = setup(t, [{ id: 'worker1' }]);
  const first = await dispatcher.open('worker1', { Hostname: 'w1' }, '10.0.0.5', new Sink());
  dispatcher.close(first);
  await advance(t, 2 * PERIOD_MS);
  await dispatcher.open('worker1', { Hostname: 'w1' }, '10.0.0.5', new Sink());
  await advance(t, 2 * PERIOD_MS);
  assert.equal(host.state('worker1'), 'ready');
});

test('a new leader gives every node two grace periods to reach it, then marks the silent ones down', async (t) => {
  const { host, dispatcher } = setup(t, [{ id: 'silent', state: 'ready' }, { id: 'talker', state: 'ready' }]);
  host.leader = false;
  await advance(t, 300);
  host.leader = true;
  await advance(t, 300);
  const sink = new Sink();
  const sessionId = await dispatcher.open('talker', { Hostname: 't' }, '10.0.0.6', sink);
  for (let i = 0; i < 6; i++) {
    await advance(t, PERIOD_MS);
    dispatcher.heartbeat(sessionId);
    if (i === 4) assert.equal(host.state('silent'), 'ready', 'still inside the leader-change grace');
  }
  assert.equal(host.state('silent'), 'down');
  assert.equal(host.state('talker'), 'ready');
});

test('a new leader marks an old manager that Raft cannot reach down after one grace period, not two', async (t) => {
  const { host } = setup(t, [{ id: 'oldleader', state: 'ready' }, { id: 'quiet', state: 'ready' }]);
  host.leader = false;
  await advance(t, 300);
  host.leader = true;
  await advance(t, 1000);
  host.unreachable.add('oldleader');
  await advance(t, 3 * PERIOD_MS - 1000 - 300);
  assert.equal(host.state('oldleader'), 'ready', 'inside the usual grace from the election');
  await advance(t, 600);
  assert.equal(host.state('oldleader'), 'down');
  assert.equal(host.state('quiet'), 'ready', 'a node Raft knows nothing against keeps the leader-change grace');
});

test('nodes reconnecting to a new leader as they were cost no commit; changed ones opening together cost one', async (t) => {
  const ids = Array.from({ length: 20 }, (_, i) => `n${i}`);
  const { host, dispatcher } = setup(t, ids.map((id) => ({ id, state: 'ready' as const })));
  const commits: number[] = [];
  const commit = host.commit.bind(host);
  host.commit = async (actions) => {
    commits.push(actions.length);
    await commit(actions);
  };
  await Promise.all(ids.map((id) => dispatcher.open(id, { Hostname: id }, '', new Sink())));
  assert.deepEqual(commits, [], 'same state, address and description');
  await Promise.all(ids.map((id) => dispatcher.open(id, { Hostname: id }, '10.0.0.9', new Sink())));
  assert.deepEqual(commits, [20]);
  assert.ok(ids.every((id) => host.store.get('node', id)!.Status.Addr === '10.0.0.9'));
});

test('the commits of one turn build the part of the session message every node shares once, whatever the number of sessions', async (t) => {
  const ids = Array.from({ length: 10 }, (_, i) => `n${i}`);
  const { host, dispatcher } = setup(t, ids.map((id) => ({ id })));
  const sinks = ids.map(() => new Sink());
  await Promise.all(ids.map((id, i) => dispatcher.open(id, {}, '', sinks[i]!)));
  await turn();
  let calls = 0;
  host.managerPeers = () => {
    calls++;
    return [{ nodeId: 'manager1', addr: '10.0.0.1:2377' }, { nodeId: 'manager2', addr: '10.0.0.2:2377' }];
  };
  for (const label of ['a', 'b', 'c']) {
    const node = host.store.get('node', 'n0')!;
    host.apply([{ op: 'update', table: 'node', object: { ...node, Spec: { ...node.Spec, Labels: { x: label } } } }]);
  }
  await turn();
  assert.equal(calls, 1);
  assert.ok(sinks.every((s) => s.messages.length === 2 && s.messages[1]!.managers.length === 2), 'every node hears of the new manager once');
});

test('a manager that is not the leader refuses sessions and points at the leader', async (t) => {
  const { dispatcher, host } = setup(t, [{ id: 'worker1' }]);
  host.leader = false;
  await assert.rejects(
    dispatcher.open('worker1', {}, '', new Sink()),
    (e: unknown) => e instanceof ControlError && e.code === 'unavailable' && e.message === 'not the leader; leader is at 10.0.0.2:2377',
  );
});

test('a removed node cannot open a session, and an open one ends when the node is removed', async (t) => {
  const { dispatcher, host } = setup(t, [{ id: 'worker1' }]);
  await assert.rejects(
    dispatcher.open('nobody', {}, '', new Sink()),
    (e: unknown) => e instanceof ControlError && e.code === 'permission-denied' && e.message === 'node nobody was removed from the swarm',
  );
  const sink = new Sink();
  await dispatcher.open('worker1', {}, '', sink);
  host.apply([{ op: 'delete', table: 'node', id: 'worker1' }]);
  await turn();
  assert.equal(sink.ended, true);
});

test('a changed role or availability reaches the node once; unrelated commits send nothing', async (t) => {
  const { dispatcher, host } = setup(t, [{ id: 'worker1' }, { id: 'other' }]);
  const sink = new Sink();
  await dispatcher.open('worker1', {}, '', sink);
  const node = host.store.get('node', 'worker1')!;
  host.apply([{ op: 'update', table: 'node', object: { ...node, Spec: { ...node.Spec, Role: 'manager', Availability: 'drain' } } }]);
  await turn();
  const other = host.store.get('node', 'other')!;
  host.apply([{ op: 'update', table: 'node', object: { ...other, Spec: { ...other.Spec, Labels: { a: 'b' } } } }]);
  await turn();
  assert.deepEqual(
    sink.messages.map((m) => [m.desiredRole, m.availability]),
    [['worker', 'active'], ['manager', 'drain']],
  );
});
