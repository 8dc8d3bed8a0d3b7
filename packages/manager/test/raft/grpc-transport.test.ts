// The Raft transport against the manager's real Raft service over mutual TLS on 127.0.0.1: batches
// travel on one stream per peer, arrive in order, are acknowledged, and a stream the receiver refuses
// or that loses its peer is reported unreachable and replaced on the next send.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { Message } from '@shoal/raft';
import { GrpcRaftTransport } from '../../src/raft/grpc-transport.js';
import { ClusterServerCredentials } from '../../src/rpc/credentials.js';
import type { AuthPolicy } from '../../src/rpc/peer-auth.js';
import { addManagerServices, type ManagerHandle } from '../../src/services/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { nodeCert, testPki, type NodeCert, type TestPki } from '../rpc/certs.js';

const WAIT_MS = 5000;

interface Receiver {
  readonly addr: string;
  readonly received: Message[];
  readonly members: Set<string>;
  stop(): void;
}

async function receiver(t: TestContext, p: TestPki, self: NodeCert, members: readonly NodeCert[]): Promise<Receiver> {
  const received: Message[] = [];
  const ids = new Set(members.map((m) => m.nodeId));
  const policy: AuthPolicy = { rootCaPem: () => p.ca.certPem, clusterId: () => p.clusterId, nodeExists: (id) => ids.has(id), now: () => Date.now() };
  const unused = async () => {
    throw new Error('not used by these tests');
  };
  const handle: ManagerHandle = {
    store: new MemoryStore(),
    raft: undefined as never,
    dispatcher: undefined as never,
    call: unused,
    runLocally: unused,
    receive: (m) => received.push(m),
  };
  const server = new grpc.Server();
  t.after(() => server.forceShutdown());
  addManagerServices(server, handle, policy);
  const creds = new ClusterServerCredentials({ rootCaPem: p.ca.certPem, certPem: self.certPem, keyPem: self.keyPem });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (err, port) => (err ? reject(err) : resolve(port))));
  return { addr: `127.0.0.1:${port}`, received, members: ids, stop: () => server.forceShutdown() };
}

interface Events {
  delivered: number;
  unreachable: number;
}

function transport(t: TestContext, p: TestPki, self: NodeCert, peers: Map<string, string>): { transport: GrpcRaftTransport; events: Events } {
  const events: Events = { delivered: 0, unreachable: 0 };
  const tr = new GrpcRaftTransport({
    resolve: (id) => peers.get(id),
    identity: () => ({ rootCaPem: p.ca.certPem, certPem: self.certPem, keyPem: self.keyPem }),
    onUnreachable: () => events.unreachable++,
    onDelivered: () => events.delivered++,
    onSnapshotSent: () => {},
    sendTimeoutMs: 1000,
  });
  t.after(() => tr.close());
  return { transport: tr, events };
}

function heartbeat(from: string, to: string, commit: number): Message {
  return { type: 'heartbeat', from, to, term: 1, commit, context: null };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('the Raft transport delivers batches to a peer in order over its stream and hears them acknowledged', async (t) => {
  const p = await testPki();
  const [a, b] = [nodeCert(p, 'manager'), nodeCert(p, 'manager')];
  const peer = await receiver(t, p, b, [a, b]);
  const { transport: tr, events } = transport(t, p, a, new Map([[b.nodeId, peer.addr]]));
  for (let i = 1; i <= 50; i++) tr.send(i % 7 === 0 ? [heartbeat(a.nodeId, b.nodeId, 2 * i), heartbeat(a.nodeId, b.nodeId, 2 * i + 1)] : [heartbeat(a.nodeId, b.nodeId, 2 * i)]);
  await until('57 messages', () => peer.received.length === 57);
  const commits = peer.received.map((m) => (m.type === 'heartbeat' ? m.commit : -1));
  assert.deepEqual(commits, [...commits].sort((x, y) => x - y));
  await until('an acknowledgement', () => events.delivered > 0);
  assert.equal(events.unreachable, 0);
});

test('a stream whose messages claim another sender is closed and the peer reported unreachable', async (t) => {
  const p = await testPki();
  const [a, b, c] = [nodeCert(p, 'manager'), nodeCert(p, 'manager'), nodeCert(p, 'manager')];
  const peer = await receiver(t, p, b, [a, b, c]);
  const { transport: tr, events } = transport(t, p, a, new Map([[b.nodeId, peer.addr]]));
  tr.send([heartbeat(c.nodeId, b.nodeId, 1)]);
  await until('the refusal', () => events.unreachable > 0);
  assert.equal(peer.received.length, 0);
  tr.send([heartbeat(a.nodeId, b.nodeId, 2)]);
  await until('delivery on a new stream', () => peer.received.length === 1);
});

test('a removed manager\'s stream delivers nothing more', async (t) => {
  const p = await testPki();
  const [a, b] = [nodeCert(p, 'manager'), nodeCert(p, 'manager')];
  const peer = await receiver(t, p, b, [a, b]);
  const { transport: tr, events } = transport(t, p, a, new Map([[b.nodeId, peer.addr]]));
  tr.send([heartbeat(a.nodeId, b.nodeId, 1)]);
  await until('the first message', () => peer.received.length === 1);
  peer.members.delete(a.nodeId);
  tr.send([heartbeat(a.nodeId, b.nodeId, 2)]);
  await until('the refusal', () => events.unreachable > 0);
  assert.equal(peer.received.length, 1);
});

test('a peer that goes away is reported unreachable', async (t) => {
  const p = await testPki();
  const [a, b] = [nodeCert(p, 'manager'), nodeCert(p, 'manager')];
  const peer = await receiver(t, p, b, [a, b]);
  const { transport: tr, events } = transport(t, p, a, new Map([[b.nodeId, peer.addr]]));
  tr.send([heartbeat(a.nodeId, b.nodeId, 1)]);
  await until('the first message', () => peer.received.length === 1);
  peer.stop();
  tr.send([heartbeat(a.nodeId, b.nodeId, 2)]);
  await until('unreachable', () => events.unreachable > 0);
});
