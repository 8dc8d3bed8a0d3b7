// The manager's services on a real gRPC server over mutual TLS on 127.0.0.1, configured as port 2377
// is (ClusterServerCredentials, clientCredentials, channelOptions), with a stand-in for the manager.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { ControlClient, type ControlResponse } from '@shoal/proto';
import { ControlError } from '../../src/control/errors.js';
import { channelOptions, clientCredentials, ClusterServerCredentials } from '../../src/rpc/credentials.js';
import type { AuthPolicy } from '../../src/rpc/peer-auth.js';
import { addManagerServices, type ManagerHandle } from '../../src/services/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { nodeCert, testPki, type NodeCert, type TestPki } from '../rpc/certs.js';

const DEADLINE_MS = 5000;

/** A manager stand-in whose operations echo their call, or fail as the method name says. */
function fakeManager(): ManagerHandle {
  const run = async (method: string, payload: unknown) => {
    if (method === 'refuse') throw new ControlError('failed-precondition', 'not now');
    return { method, payload };
  };
  // Raft is not reached by these tests; Control only runs operations.
  const handle = { store: new MemoryStore(), raft: undefined as never, dispatcher: undefined as never, call: run, runLocally: run, receive: () => {} };
  return handle;
}

async function serve(t: TestContext, p: TestPki, server: NodeCert, known: readonly NodeCert[]): Promise<string> {
  const ids = new Set(known.map((n) => n.nodeId));
  const policy: AuthPolicy = { rootCaPem: () => p.ca.certPem, clusterId: () => p.clusterId, nodeExists: (id) => ids.has(id), now: () => Date.now() };
  const grpcServer = new grpc.Server();
  t.after(() => grpcServer.forceShutdown());
  addManagerServices(grpcServer, fakeManager(), policy);
  const creds = new ClusterServerCredentials({ rootCaPem: p.ca.certPem, certPem: server.certPem, keyPem: server.keyPem });
  const port = await new Promise<number>((resolve, reject) => grpcServer.bindAsync('127.0.0.1:0', creds, (err, port) => (err ? reject(err) : resolve(port))));
  return `127.0.0.1:${port}`;
}

function control(t: TestContext, addr: string, rootCaPem: string, caller: NodeCert | null): ControlClient {
  const identity = caller ? { rootCaPem, certPem: caller.certPem, keyPem: caller.keyPem } : { rootCaPem };
  const client = new ControlClient(addr, clientCredentials(identity), channelOptions());
  t.after(() => client.close());
  return client;
}

function call(client: ControlClient, method: string, payload: unknown): Promise<ControlResponse> {
  const request = { method, payloadJson: Buffer.from(JSON.stringify(payload)) };
  return new Promise((resolve, reject) =>
    client.call(request, new grpc.Metadata(), { deadline: new Date(Date.now() + DEADLINE_MS) }, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

function status(code: grpc.status, details?: RegExp) {
  return (err: unknown) => {
    const e = err as grpc.ServiceError;
    assert.equal(e.code, code, e.details);
    if (details) assert.match(e.details, details);
    return true;
  };
}

test('a manager forwards a control operation and gets its result or its ControlError back', async (t) => {
  const p = await testPki();
  const leader = nodeCert(p, 'manager');
  const follower = nodeCert(p, 'manager');
  const addr = await serve(t, p, leader, [leader, follower]);
  const client = control(t, addr, p.ca.certPem, follower);
  const ok = await call(client, 'listNodes', { filters: {} });
  assert.equal(ok.outcome?.$case, 'resultJson');
  if (ok.outcome?.$case === 'resultJson') {
    assert.deepEqual(JSON.parse(Buffer.from(ok.outcome.value).toString()), { method: 'listNodes', payload: { filters: {} } });
  }
  const refused = await call(client, 'refuse', {});
  assert.deepEqual(refused.outcome, { $case: 'error', value: { code: 'failed-precondition', message: 'not now', httpStatus: 0 } });
});

test('a worker calling the manager-only Control service is denied', async (t) => {
  const p = await testPki();
  const manager = nodeCert(p, 'manager');
  const worker = nodeCert(p, 'worker');
  const addr = await serve(t, p, manager, [manager, worker]);
  await assert.rejects(call(control(t, addr, p.ca.certPem, worker), 'listNodes', {}), status(grpc.status.PERMISSION_DENIED, /is not a manager: permission denied/));
});

test('a caller without a certificate, or with one from another CA, gets nothing', async (t) => {
  const p = await testPki();
  const manager = nodeCert(p, 'manager');
  const intruder = nodeCert(p, 'manager', { ca: p.stranger });
  const addr = await serve(t, p, manager, [manager, intruder]);
  await assert.rejects(call(control(t, addr, p.ca.certPem, null), 'listNodes', {}), status(grpc.status.UNAUTHENTICATED));
  await assert.rejects(call(control(t, addr, p.ca.certPem, intruder), 'listNodes', {}), (err: unknown) => {
    const code = (err as grpc.ServiceError).code;
    assert.ok(code === grpc.status.UNAUTHENTICATED || code === grpc.status.UNAVAILABLE, `code ${code}`);
    return true;
  });
});

test('a removed manager is denied although its certificate is still valid', async (t) => {
  const p = await testPki();
  const manager = nodeCert(p, 'manager');
  const removed = nodeCert(p, 'manager');
  const addr = await serve(t, p, manager, [manager]);
  await assert.rejects(call(control(t, addr, p.ca.certPem, removed), 'listNodes', {}), status(grpc.status.PERMISSION_DENIED, /was removed from the swarm/));
});

test('a client refuses a server whose certificate is a worker\'s', async (t) => {
  const p = await testPki();
  const worker = nodeCert(p, 'worker');
  const manager = nodeCert(p, 'manager');
  const addr = await serve(t, p, worker, [worker, manager]);
  await assert.rejects(call(control(t, addr, p.ca.certPem, manager), 'listNodes', {}), status(grpc.status.UNAVAILABLE));
});
