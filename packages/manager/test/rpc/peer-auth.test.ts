import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { authenticate, PeerAuthError, toServiceError, verifyPeerCertificate, type AuthPolicy } from '../../src/rpc/peer-auth.js';
import { HOUR_MS, nodeCert, testPki, type NodeCert, type TestPki } from './certs.js';

const NO_CERT = "a client certificate issued by this cluster's CA is required";

function policy(p: TestPki, known: readonly NodeCert[], nowMs = Date.now()): AuthPolicy {
  const ids = new Set(known.map((n) => n.nodeId));
  return { rootCaPem: () => p.ca.certPem, clusterId: () => p.clusterId, nodeExists: (id) => ids.has(id), now: () => nowMs };
}

const raw = (n: NodeCert) => new X509Certificate(n.certPem).raw;
const callWith = (cert: Buffer | null) => ({ getAuthContext: () => (cert ? { sslPeerCertificate: { raw: cert } } : {}) });

function refused(code: grpc.status, message: string | RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof PeerAuthError, String(err));
    assert.equal(err.grpcCode, code, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  };
}

test('a certificate of this cluster names the calling node, its role and the cluster', async () => {
  const p = await testPki();
  const worker = nodeCert(p, 'worker');
  const manager = nodeCert(p, 'manager');
  const pol = policy(p, [worker, manager]);
  assert.deepEqual(verifyPeerCertificate(raw(worker), pol), { nodeId: worker.nodeId, role: 'worker', clusterId: p.clusterId });
  assert.deepEqual(authenticate(callWith(raw(manager)), pol, 'manager'), { nodeId: manager.nodeId, role: 'manager', clusterId: p.clusterId });
  assert.equal(authenticate(callWith(raw(worker)), pol, 'any').role, 'worker');
});

test('a certificate from another CA is refused, even with the same CA name', async () => {
  const p = await testPki();
  const intruder = nodeCert(p, 'manager', { ca: p.stranger });
  assert.throws(
    () => verifyPeerCertificate(raw(intruder), policy(p, [intruder])),
    refused(grpc.status.UNAUTHENTICATED, "client certificate is not issued by this cluster's CA"),
  );
});

test('a certificate of another cluster under the same CA is refused', async () => {
  const p = await testPki();
  const other = nodeCert(p, 'manager', { clusterId: 'othercluster0000000000000' });
  assert.throws(() => verifyPeerCertificate(raw(other), policy(p, [other])), refused(grpc.status.UNAUTHENTICATED, 'client certificate is for another cluster'));
});

test('a removed node\'s still valid certificate opens no door', async () => {
  const p = await testPki();
  const removed = nodeCert(p, 'manager');
  assert.throws(
    () => authenticate(callWith(raw(removed)), policy(p, []), 'any'),
    refused(grpc.status.PERMISSION_DENIED, `node ${removed.nodeId} was removed from the swarm`),
  );
});

test('a certificate outside its validity period is refused', async () => {
  const p = await testPki();
  const node = nodeCert(p, 'worker');
  for (const nowMs of [Date.now() + 3 * HOUR_MS, Date.now() - 2 * HOUR_MS]) {
    assert.throws(
      () => verifyPeerCertificate(raw(node), policy(p, [node], nowMs)),
      refused(grpc.status.UNAUTHENTICATED, 'client certificate has expired or is not yet valid'),
    );
  }
});

test('a worker calling a manager-only RPC is denied; a caller without a certificate is unauthenticated', async () => {
  const p = await testPki();
  const worker = nodeCert(p, 'worker');
  const pol = policy(p, [worker]);
  assert.throws(
    () => authenticate(callWith(raw(worker)), pol, 'manager'),
    refused(grpc.status.PERMISSION_DENIED, `node ${worker.nodeId} is not a manager: permission denied`),
  );
  assert.throws(() => authenticate(callWith(null), pol, 'any'), refused(grpc.status.UNAUTHENTICATED, NO_CERT));
  assert.throws(() => authenticate({ getAuthContext: () => null }, pol, 'any'), refused(grpc.status.UNAUTHENTICATED, NO_CERT));
  assert.throws(() => authenticate(callWith(Buffer.from('junk')), pol, 'any'), refused(grpc.status.UNAUTHENTICATED, /^unreadable client certificate/));
});

test('refusals keep their gRPC code; anything else is an internal error', () => {
  assert.deepEqual(toServiceError(new PeerAuthError(grpc.status.PERMISSION_DENIED, 'no')), { code: grpc.status.PERMISSION_DENIED, details: 'no' });
  assert.deepEqual(toServiceError(new Error('boom')), { code: grpc.status.INTERNAL, details: 'boom' });
});
