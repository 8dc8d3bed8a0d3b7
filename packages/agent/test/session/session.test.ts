// AgentSession against real grpc-js Dispatcher servers on 127.0.0.1 (insecure credentials: TLS is
// not what this boundary tests).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { DispatcherService, type DispatcherServer, type SessionMessage, type SessionRequest } from '@shoal/proto';
import { AgentSession, type SessionOptions } from '../../src/session/session.js';

const WAIT_MS = 5000;

async function waitFor(what: string, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

type Behaviour =
  | { kind: 'refuse'; details: () => string }
  | { kind: 'serve'; message: (req: SessionRequest) => SessionMessage };

interface FakeManager {
  addr: string;
  sessions: SessionRequest[];
  heartbeats: string[];
  /** The period each heartbeat's answer gives. */
  heartbeatPeriodMs: number;
  open: grpc.ServerWritableStream<SessionRequest, SessionMessage>[];
  behaviour: Behaviour;
}

async function fakeManager(t: TestContext, behaviour: Behaviour): Promise<FakeManager> {
  const fake: FakeManager = { addr: '', sessions: [], heartbeats: [], heartbeatPeriodMs: 200, open: [], behaviour };
  const impl: DispatcherServer = {
    session: (call) => {
      fake.sessions.push(call.request);
      const b = fake.behaviour;
      if (b.kind === 'refuse') {
        call.emit('error', { code: grpc.status.UNAVAILABLE, details: b.details() });
        return;
      }
      fake.open.push(call);
      call.write(b.message(call.request));
    },
    heartbeat: (call, cb) => {
      fake.heartbeats.push(call.request.sessionId);
      cb(null, { periodMs: fake.heartbeatPeriodMs });
    },
    updateTaskStatus: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED }),
    assignments: (call) => call.emit('error', { code: grpc.status.UNIMPLEMENTED }),
  };
  const server = new grpc.Server();
  server.addService(DispatcherService, impl);
  t.after(() => server.forceShutdown());
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  fake.addr = `127.0.0.1:${port}`;
  return fake;
}

function startSession(t: TestContext, managers: { nodeId: string; addr: string }[], received: SessionMessage[]): AgentSession {
  const opts: SessionOptions = {
    nodeId: 'worker1',
    description: () => ({ Hostname: 'w1', Addr: '10.0.0.5' }),
    managers,
    credentials: () => grpc.credentials.createInsecure(),
    channelOptions: {},
    onMessage: (m) => received.push(m),
    log: () => {},
    retryDelayMs: 20,
  };
  const session = new AgentSession(opts);
  t.after(() => session.stop());
  session.start();
  return session;
}

const serveAs = (sessionId: string, managers: { nodeId: string; addr: string }[]) => ({
  kind: 'serve' as const,
  message: (): SessionMessage => ({ sessionId, managers, heartbeatPeriodMs: 200, desiredRole: 'worker', availability: 'active', networkBootstrapKeys: [] }),
});

test('a session refused by a follower reconnects to the leader named in the UNAVAILABLE error', async (t) => {
  const leader = await fakeManager(t, { kind: 'refuse', details: () => 'unused' });
  const follower = await fakeManager(t, { kind: 'refuse', details: () => `not the leader; leader is at ${leader.addr}` });
  leader.behaviour = serveAs('s-1', [{ nodeId: 'm2', addr: leader.addr }]);
  const received: SessionMessage[] = [];
  const session = startSession(t, [{ nodeId: 'm1', addr: follower.addr }], received);
  await waitFor('a session with the leader', () => session.manager === leader.addr);
  assert.equal(follower.sessions.length, 1);
  assert.equal(received[0]?.sessionId, 's-1');
  assert.deepEqual(session.managers, [{ nodeId: 'm2', addr: leader.addr }]);
  const sent = JSON.parse(Buffer.from(leader.sessions[0]!.descriptionJson).toString()) as unknown;
  assert.deepEqual([leader.sessions[0]!.nodeId, sent], ['worker1', { Hostname: 'w1', Addr: '10.0.0.5' }]);
  await waitFor('a beat at once, then one per period', () => leader.heartbeats.length >= 2);
  assert.ok(leader.heartbeats.every((id) => id === 's-1'));
});

test('the agent beats at the period the last heartbeat answer gave, not the session message', async (t) => {
  const manager = await fakeManager(t, { kind: 'refuse', details: () => 'unused' });
  manager.behaviour = {
    kind: 'serve',
    message: () => ({ sessionId: 's-1', managers: [], heartbeatPeriodMs: 60_000, desiredRole: 'worker', availability: 'active', networkBootstrapKeys: [] }),
  };
  manager.heartbeatPeriodMs = 20;
  startSession(t, [{ nodeId: 'm1', addr: manager.addr }], []);
  await waitFor('beats at the answered period', () => manager.heartbeats.length >= 4);
});

test('when the session ends the agent fails over to another manager it learned from the session', async (t) => {
  const second = await fakeManager(t, serveAs('s-2', []));
  const first = await fakeManager(t, { kind: 'refuse', details: () => 'unused' });
  first.behaviour = serveAs('s-1', [
    { nodeId: 'm1', addr: first.addr },
    { nodeId: 'm2', addr: second.addr },
  ]);
  const received: SessionMessage[] = [];
  const session = startSession(t, [{ nodeId: 'm1', addr: first.addr }], received);
  await waitFor('the first session', () => session.manager === first.addr);
  // The first manager goes away: its stream ends and later sessions are refused.
  first.behaviour = { kind: 'refuse', details: () => 'shutting down' };
  for (const call of first.open) call.end();
  await waitFor('a session with the second manager', () => session.manager === second.addr);
  assert.deepEqual(received.map((m) => m.sessionId).filter((id, i, all) => all.indexOf(id) === i), ['s-1', 's-2']);
});

test('a stopped session does not reconnect', async (t) => {
  const manager = await fakeManager(t, serveAs('s-1', []));
  const session = startSession(t, [{ nodeId: 'm1', addr: manager.addr }], []);
  await waitFor('the session', () => session.manager === manager.addr);
  session.stop();
  for (const call of manager.open) call.end();
  await sleep(200);
  assert.equal(manager.sessions.length, 1);
  assert.equal(session.manager, null);
});

test('established waits for a manager to accept the node, and gives up at its bound', async (t) => {
  const manager = await fakeManager(t, { kind: 'refuse', details: () => 'the swarm has no leader' });
  const session = startSession(t, [{ nodeId: 'm1', addr: manager.addr }], []);
  assert.equal(await session.established(300), false, 'refused sessions are not an established one');
  manager.behaviour = serveAs('s-1', []);
  assert.equal(await session.established(WAIT_MS), true);
  assert.equal(await session.established(0), true, 'stays established once a manager accepted the node');
});
