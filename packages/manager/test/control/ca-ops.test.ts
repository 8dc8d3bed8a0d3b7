import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createKeyAndCsr,
  createRootCa,
  generateJoinToken,
  parsePeerIdentity,
  type KeyAndCsr,
  type RootCa,
} from '../../src/ca/index.js';
import { joinNode, renewCertificate, type JoinRequest } from '../../src/control/ca-ops.js';
import { updateSwarm } from '../../src/control/swarm-ops.js';
import { controlError, FakeControl } from './fake-context.js';

const INVALID_TOKEN = 'rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster';

let root: Promise<RootCa> | null = null;
let key: Promise<KeyAndCsr> | null = null;
const ca = () => (root ??= createRootCa());
const csr = async () => (await (key ??= createKeyAndCsr())).csrPem;

async function joinRequest(token: string): Promise<JoinRequest> {
  return { csrPem: await csr(), token, availability: 'drain', hostname: 'host-b', addr: '10.0.0.2' };
}

test('a worker token admits a worker: certificate names node, role and cluster, and the node is recorded', async () => {
  const f = new FakeControl();
  const cluster = f.addCluster(await ca());
  const issued = await joinNode(f.ctx, await joinRequest(cluster.JoinTokens.Worker));
  assert.equal(issued.role, 'worker');
  assert.deepEqual(parsePeerIdentity(issued.certificatePem), { nodeId: issued.nodeId, role: 'worker', clusterId: cluster.ID });
  const node = f.store.get('node', issued.nodeId);
  assert.deepEqual(
    { spec: node?.Spec, hostname: node?.Description.Hostname, status: node?.Status },
    { spec: { Labels: {}, Role: 'worker', Availability: 'drain' }, hostname: 'host-b', status: { State: 'unknown', Addr: '10.0.0.2' } },
  );
});

test('a manager token admits a manager', async () => {
  const f = new FakeControl();
  const cluster = f.addCluster(await ca());
  const issued = await joinNode(f.ctx, await joinRequest(cluster.JoinTokens.Manager));
  assert.equal(issued.role, 'manager');
  assert.equal(parsePeerIdentity(issued.certificatePem).role, 'manager');
  assert.equal(f.store.get('node', issued.nodeId)?.Spec.Role, 'manager');
});

test('a rotated-away, foreign or malformed token is refused with Docker\'s message and records nothing', async () => {
  const f = new FakeControl();
  const cluster = f.addCluster(await ca());
  const old = cluster.JoinTokens.Worker;
  await updateSwarm(f.ctx, { version: cluster.Version.Index, spec: {}, rotateWorkerToken: true, rotateManagerToken: false });
  const foreign = generateJoinToken((await createRootCa()).certPem);
  for (const token of [old, foreign, 'SWMTKN-1-short-secret', '']) {
    await assert.rejects(joinNode(f.ctx, await joinRequest(token)), controlError('invalid-argument', INVALID_TOKEN), token);
  }
  assert.deepEqual(f.store.list('node'), []);
});

test('a join with an unusable CSR is refused as an invalid request', async () => {
  const f = new FakeControl();
  const cluster = f.addCluster(await ca());
  const req = { ...(await joinRequest(cluster.JoinTokens.Worker)), csrPem: 'not a csr' };
  await assert.rejects(joinNode(f.ctx, req), controlError('invalid-argument', /^invalid certificate request: /));
  assert.deepEqual(f.store.list('node'), []);
});

test('renewal reissues the certificate with the role the store holds now', async () => {
  const f = new FakeControl();
  const cluster = f.addCluster(await ca());
  const joined = await joinNode(f.ctx, await joinRequest(cluster.JoinTokens.Worker));
  const node = f.store.get('node', joined.nodeId)!;
  f.commit([{ op: 'update', table: 'node', object: { ...node, Spec: { ...node.Spec, Role: 'manager' } } }]);
  const renewed = renewCertificate(f.ctx, { nodeId: joined.nodeId, csrPem: await csr() });
  assert.equal(renewed.role, 'manager');
  assert.deepEqual(parsePeerIdentity(renewed.certificatePem), { nodeId: joined.nodeId, role: 'manager', clusterId: cluster.ID });
});

test('renewal for a removed node is refused', async () => {
  const f = new FakeControl();
  f.addCluster(await ca());
  assert.throws(
    () => renewCertificate(f.ctx, { nodeId: 'gone0000gone0000gone0000g', csrPem: 'x' }),
    controlError('permission-denied', 'node gone0000gone0000gone0000g was removed from the swarm'),
  );
});
