// One real mutual-TLS exchange over 127.0.0.1 with certificates from our CA, the way the gRPC
// server on 2377 is configured (requestCert + rejectUnauthorized, the cluster root as the only CA).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import {
  MANAGER_SERVER_NAME,
  checkManagerServerIdentity,
  grpcTlsMaterial,
  verifyPeerCertificate,
  type PeerIdentity,
} from '../../src/ca/index.js';
import { newId } from '../../src/ids/index.js';
import { issueNode, twoRoots, type IssuedNode } from './helpers.js';

const WAIT_MS = 5_000;

interface Outcome {
  /** What the server sent back (the identity it verified), or null when nothing arrived. */
  readonly received: string | null;
  readonly error: Error | null;
}

/** Connects, reads until the connection ends, never waits longer than WAIT_MS. */
function attempt(options: tls.ConnectionOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    let received = '';
    let error: Error | null = null;
    const socket = tls.connect(options);
    const timer = setTimeout(() => socket.destroy(new Error('timed out')), WAIT_MS);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', (e) => (error = e));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ received: received === '' ? null : received, error });
    });
  });
}

async function startServer(t: { after: (fn: () => void) => void }, rootCaPem: string, node: IssuedNode) {
  const material = grpcTlsMaterial({ keyPem: node.keyPem, certPem: node.certPem, rootCaPem });
  const clientErrors: Error[] = [];
  const admitted: PeerIdentity[] = [];
  const server = tls.createServer({
    key: material.privateKeyPem,
    cert: material.certChainPem,
    ca: material.rootCertsPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  server.on('secureConnection', (socket) => {
    const identity = verifyPeerCertificate(socket.getPeerCertificate(), rootCaPem, { clusterId: node.clusterId });
    admitted.push(identity);
    socket.end(JSON.stringify(identity));
  });
  server.on('tlsClientError', (error) => clientErrors.push(error));
  server.listen(0, '127.0.0.1');
  t.after(() => server.close());
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, clientErrors, admitted };
}

test('mutual TLS with issued certificates: a member is admitted and identified, strangers are refused', async (t) => {
  const [root, other] = await twoRoots();
  const clusterId = newId();
  const [manager, worker, stranger] = [
    issueNode(root, 'manager', { clusterId }),
    issueNode(root, 'worker', { clusterId }),
    issueNode(other, 'manager', { clusterId }),
  ];
  const { port, clientErrors, admitted } = await startServer(t, root.certPem, manager);
  const base: tls.ConnectionOptions = {
    host: '127.0.0.1',
    port,
    servername: MANAGER_SERVER_NAME,
    ca: root.certPem,
    checkServerIdentity: checkManagerServerIdentity,
  };

  const member = await attempt({ ...base, key: worker.keyPem, cert: worker.certPem });
  assert.equal(member.error, null);
  assert.deepEqual(JSON.parse(member.received ?? 'null'), { nodeId: worker.nodeId, role: 'worker', clusterId });
  assert.equal(clientErrors.length, 0);

  // Under TLS 1.3 the client finishes its half of the handshake before the server judges its
  // certificate, and Node's server then drops the connection without an alert: the client only sees
  // the connection close. What counts is that the server never admits it.
  const foreign = await attempt({ ...base, key: stranger.keyPem, cert: stranger.certPem });
  assert.equal(foreign.received, null);
  assert.equal(clientErrors.length, 1);

  const anonymous = await attempt(base);
  assert.equal(anonymous.received, null);
  assert.equal(clientErrors.length, 2);
  assert.match(clientErrors[1]?.message ?? '', /peer did not return a certificate/);
  assert.equal(admitted.length, 1, 'only the member was admitted');
});

test('a client refuses a server of the same CA that is not a manager, and one of another CA', async (t) => {
  const [root, other] = await twoRoots();
  const clusterId = newId();
  const [worker, client, stranger] = [
    issueNode(root, 'worker', { clusterId }),
    issueNode(root, 'manager', { clusterId }),
    issueNode(other, 'manager', { clusterId }),
  ];
  for (const server of [worker, stranger]) {
    const serverRoot = server === stranger ? other : root;
    const { port } = await startServer(t, serverRoot.certPem, server);
    const outcome = await attempt({
      host: '127.0.0.1',
      port,
      servername: MANAGER_SERVER_NAME,
      ca: root.certPem,
      key: client.keyPem,
      cert: client.certPem,
      checkServerIdentity: checkManagerServerIdentity,
    });
    assert.equal(outcome.received, null);
    const expected = server === worker ? /server is not a manager/ : /self[- ]signed|unable to verify|unable to get/i;
    assert.match(outcome.error?.message ?? '', expected);
  }
});
