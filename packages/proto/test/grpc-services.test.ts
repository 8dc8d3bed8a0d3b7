// Proves the generated definitions work with @grpc/grpc-js end to end: a real server and clients on
// 127.0.0.1, one unary call per service and both server streams.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  Metadata, Server, ServerCredentials, credentials, type ChannelCredentials, type Client, type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  AssignmentsType, ControlClient, ControlService, DispatcherClient, DispatcherService, EntryType, NodeCAClient,
  NodeCAService, RaftClient, RaftService, type ControlResponse, type ControlServer, type DispatcherServer, type NodeCAServer,
  type RaftMessageBatch, type RaftServer,
} from '../src/index.js';

const CALL_TIMEOUT_MS = 5000;
const ROOT_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** What the server received, so tests can check the request crossed intact. */
interface Received { batches: RaftMessageBatch[] }

function unimplemented(callback: (error: Partial<ServiceError>) => void): void {
  callback({ code: 12, details: 'not used by this test' });
}

function makeServices(received: Received): {
  raft: RaftServer; ca: NodeCAServer; control: ControlServer; dispatcher: DispatcherServer;
} {
  return {
    raft: {
      sendMessages: (call, callback) => { received.batches.push(call.request); callback(null, { batches: 0 }); },
      streamMessages: (call) => call.on('data', (batch: RaftMessageBatch) => { received.batches.push(batch); call.write({ batches: 1 }); }),
      join: (call, callback) => callback(null, {
        raftId: 'r2',
        members: [
          { raftId: 'r1', nodeId: 'm1', addr: '198.51.100.1:2377' },
          { raftId: 'r2', nodeId: call.request.nodeId, addr: call.request.addr },
        ],
        removedMembers: ['r0'],
      }),
      leave: (_call, callback) => unimplemented(callback),
    },
    ca: {
      getRootCaCertificate: (_call, callback) => callback(null, { certificatePem: ROOT_PEM }),
      issueNodeCertificate: (_call, callback) => unimplemented(callback),
      renewNodeCertificate: (_call, callback) => unimplemented(callback),
    },
    control: {
      call: (call, callback) => callback(null, {
        outcome: {
          $case: 'error',
          value: { code: 'version_conflict', message: `${call.request.method}: update out of sequence`, httpStatus: 409 },
        },
      }),
    },
    dispatcher: {
      session: (call) => {
        const managers = [{ nodeId: 'm1', addr: '198.51.100.1:2377' }];
        const networkBootstrapKeys = [{ subsystem: 'networking:ipsec', algorithm: 'AES_128_GCM', key: new Uint8Array(16).fill(7), lamportTime: 3 }];
        call.write({ sessionId: `s-${call.request.nodeId}`, managers, heartbeatPeriodMs: 5000, desiredRole: 'worker', availability: 'active', networkBootstrapKeys });
        call.write({ sessionId: `s-${call.request.nodeId}`, managers, heartbeatPeriodMs: 2500, desiredRole: 'manager', availability: 'active', networkBootstrapKeys: [] });
        call.end();
      },
      heartbeat: (_call, callback) => callback(null, { periodMs: 5000 }),
      updateTaskStatus: (_call, callback) => unimplemented(callback),
      assignments: (call) => {
        call.write({ type: AssignmentsType.FULL, changesJson: Buffer.from('{"tasks":[]}') });
        call.write({ type: AssignmentsType.INCREMENTAL, changesJson: Buffer.from('{"tasks":["t1"]}') });
        call.end();
      },
    },
  };
}

async function startServer(t: TestContext, received: Received): Promise<string> {
  const server = new Server();
  t.after(() => server.forceShutdown());
  const services = makeServices(received);
  server.addService(RaftService, services.raft);
  server.addService(NodeCAService, services.ca);
  server.addService(ControlService, services.control);
  server.addService(DispatcherService, services.dispatcher);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return `127.0.0.1:${port}`;
}

function connect<C extends Client>(t: TestContext, Ctor: new (addr: string, creds: ChannelCredentials) => C, addr: string): C {
  const client = new Ctor(addr, credentials.createInsecure());
  t.after(() => client.close());
  return client;
}

const bounded = (): { deadline: Date } => ({ deadline: new Date(Date.now() + CALL_TIMEOUT_MS) });

/** Turns a generated unary call, started with `done` as its callback, into a promise. */
function settle<T>(start: (done: (error: ServiceError | null, response: T) => void) => unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    start((error, response) => (error ? reject(error) : resolve(response)));
  });
}

async function collect<T>(stream: ClientReadableStream<T>): Promise<T[]> {
  const messages: T[] = [];
  for await (const message of stream) messages.push(message as T);
  return messages;
}

test('Raft.SendMessages delivers a batch to the server intact', async (t) => {
  const received: Received = { batches: [] };
  const raft = connect(t, RaftClient, await startServer(t, received));
  const batch: RaftMessageBatch = {
    messages: [
      {
        from: 'm1', to: 'm2', term: 3,
        body: { $case: 'append', value: { prevIndex: 9, prevTerm: 2, commit: 9, entries: [{ term: 3, index: 10, type: EntryType.NORMAL, data: Buffer.from('cmd') }] } },
      },
      { from: 'm1', to: 'm2', term: 3, body: { $case: 'heartbeat', value: { commit: 10, context: 'r1' } } },
    ],
  };
  assert.deepEqual(await settle((done) => raft.sendMessages(batch, new Metadata(), bounded(), done)), { batches: 0 });
  assert.equal(received.batches.length, 1);
  // Server-side decode hands out Buffers for bytes; compare as plain bytes.
  const [append, heartbeat] = received.batches[0]?.messages ?? [];
  assert.equal(append?.body?.$case, 'append');
  assert.equal(append.body.value.entries[0]?.index, 10);
  assert.equal(Buffer.from(append.body.value.entries[0]?.data ?? []).toString(), 'cmd');
  assert.deepEqual(heartbeat?.body, { $case: 'heartbeat', value: { commit: 10, context: 'r1' } });
});

test('NodeCA.GetRootCACertificate returns the PEM', async (t) => {
  const ca = connect(t, NodeCAClient, await startServer(t, { batches: [] }));
  const response = await settle((done) => ca.getRootCaCertificate({}, new Metadata(), bounded(), done));
  assert.deepEqual(response, { certificatePem: ROOT_PEM });
});

test('Control.Call carries an operation error as the error arm of the oneof', async (t) => {
  const control = connect(t, ControlClient, await startServer(t, { batches: [] }));
  const response = await settle<ControlResponse>((done) =>
    control.call({ method: 'updateNode', payloadJson: Buffer.from('{"version":3}') }, new Metadata(), bounded(), done));
  assert.deepEqual(response.outcome, {
    $case: 'error',
    value: { code: 'version_conflict', message: 'updateNode: update out of sequence', httpStatus: 409 },
  });
});

test('Dispatcher.Heartbeat answers and Session and Assignments stream every message in order', async (t) => {
  const dispatcher = connect(t, DispatcherClient, await startServer(t, { batches: [] }));
  assert.deepEqual(await settle((done) => dispatcher.heartbeat({ sessionId: 's-n1' }, new Metadata(), bounded(), done)), { periodMs: 5000 });

  const session = await collect(dispatcher.session({ nodeId: 'n1', descriptionJson: Buffer.from('{}') }, bounded()));
  assert.deepEqual(session.map((m) => [m.sessionId, m.heartbeatPeriodMs, m.managers]), [
    ['s-n1', 5000, [{ nodeId: 'm1', addr: '198.51.100.1:2377' }]],
    ['s-n1', 2500, [{ nodeId: 'm1', addr: '198.51.100.1:2377' }]],
  ]);
  assert.deepEqual(session.map((m) => m.networkBootstrapKeys.map((k) => [k.subsystem, k.algorithm, Buffer.from(k.key).toString('hex'), k.lamportTime])), [
    [['networking:ipsec', 'AES_128_GCM', '07'.repeat(16), 3]],
    [],
  ]);

  const assignments = await collect(dispatcher.assignments({ sessionId: 's-n1' }, bounded()));
  assert.deepEqual(assignments.map((m) => [m.type, Buffer.from(m.changesJson).toString()]), [
    [AssignmentsType.FULL, '{"tasks":[]}'],
    [AssignmentsType.INCREMENTAL, '{"tasks":["t1"]}'],
  ]);
});

test('Raft.Join answers with the joiner\'s raft id and the member list', async (t) => {
  const raft = connect(t, RaftClient, await startServer(t, { batches: [] }));
  const response = await settle((done) => raft.join({ nodeId: 'n2', addr: '198.51.100.2:2377' }, new Metadata(), bounded(), done));
  assert.deepEqual(response, {
    raftId: 'r2',
    members: [
      { raftId: 'r1', nodeId: 'm1', addr: '198.51.100.1:2377' },
      { raftId: 'r2', nodeId: 'n2', addr: '198.51.100.2:2377' },
    ],
    removedMembers: ['r0'],
  });
});

test('an error a handler reports reaches the client as a gRPC status', async (t) => {
  const raft = connect(t, RaftClient, await startServer(t, { batches: [] }));
  await assert.rejects(
    settle((done) => raft.leave({ nodeId: 'n2' }, new Metadata(), bounded(), done)),
    (error: ServiceError) => error.code === 12 && /not used by this test/.test(error.details),
  );
});
