import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { memoizePeerCertificates } from '../../src/rpc/peer-certificate-memo.js';
import { nodeCert, testPki } from './certs.js';

/** The server side of one TLS connection whose client presents a node certificate. */
async function serverSocket(maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<{ socket: TLSSocket; close(): void }> {
  const p = await testPki();
  const client = nodeCert(p, 'worker');
  const manager = nodeCert(p, 'manager');
  const server = createServer({ cert: manager.certPem, key: manager.keyPem, ca: p.ca.certPem, requestCert: true, rejectUnauthorized: true, maxVersion });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'secureConnection', { signal: AbortSignal.timeout(10_000) }) as Promise<[TLSSocket]>;
  const socket = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', ca: p.ca.certPem, cert: client.certPem, key: client.keyPem, checkServerIdentity: () => undefined, maxVersion });
  socket.on('error', () => {});
  const [serverSide] = await accepted;
  return {
    socket: serverSide,
    close: () => {
      socket.destroy();
      serverSide.destroy();
      server.close();
    },
  };
}

test('a TLS 1.3 connection answers the same peer certificate on every call; TLS 1.2 and detailed chains are built anew', async (t) => {
  memoizePeerCertificates();
  const v13 = await serverSocket('TLSv1.3');
  t.after(() => v13.close());
  const first = v13.socket.getPeerCertificate();
  assert.ok(first.raw.length > 0);
  assert.equal(v13.socket.getPeerCertificate(), first);
  assert.notEqual(v13.socket.getPeerCertificate(true), first);
  assert.deepEqual(v13.socket.getPeerCertificate(true).raw, first.raw);
  const v12 = await serverSocket('TLSv1.2');
  t.after(() => v12.close());
  assert.notEqual(v12.socket.getPeerCertificate(), v12.socket.getPeerCertificate());
});
