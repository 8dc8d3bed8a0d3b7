import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tlsInfo } from '../../src/ca/index.js';
import { DOCKERD_TLS_INFO } from './dockerd-fixture.js';
import { twoRoots } from './helpers.js';

test('tlsInfo of dockerd\'s root CA gives exactly the TLSInfo dockerd reported', () => {
  assert.deepEqual(tlsInfo(DOCKERD_TLS_INFO.TrustRoot), DOCKERD_TLS_INFO);
});

test('tlsInfo of our root CA has issuer CN=swarm-ca encoded as dockerd does, and the root\'s own key', async () => {
  const [root] = await twoRoots();
  const info = tlsInfo(root.certPem);
  assert.equal(info.TrustRoot, root.certPem);
  assert.equal(info.CertIssuerSubject, DOCKERD_TLS_INFO.CertIssuerSubject);
  const { X509Certificate } = await import('node:crypto');
  const spki = new X509Certificate(root.certPem).publicKey.export({ type: 'spki', format: 'der' });
  assert.equal(info.CertIssuerPublicKey, spki.toString('base64'));
});
