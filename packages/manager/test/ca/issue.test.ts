import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import {
  InvalidCsrError,
  InvalidPeerCertificateError,
  InvalidRootCaError,
  NODE_CERT_BACKDATE_MS,
  ROOT_CA_BACKDATE_MS,
  ROOT_CA_VALIDITY_MS,
  certificateExpiry,
  certificateValidity,
  createKeyAndCsr,
  createRootCa,
  issueNodeCertificate,
  loadRootCa,
  parsePeerIdentity,
  verifyPeerCertificate,
} from '../../src/ca/index.js';
import { newId } from '../../src/ids/index.js';
import { HOUR_MS, NOW_MS, issueNode, twoRoots } from './helpers.js';
import { NODE_TEST_KEYS } from './fixed-keys.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

test('root CA is a self-signed CA named swarm-ca, valid 20 years from 5 minutes ago', async () => {
  const root = await createRootCa({ nowMs: NOW_MS });
  const x509 = new X509Certificate(root.certPem);
  assert.equal(x509.subject, 'CN=swarm-ca');
  assert.equal(x509.issuer, 'CN=swarm-ca');
  assert.equal(x509.ca, true);
  assert.ok(x509.verify(x509.publicKey));
  assert.deepEqual(certificateValidity(root.certPem), {
    notBeforeMs: NOW_MS - ROOT_CA_BACKDATE_MS,
    notAfterMs: NOW_MS - ROOT_CA_BACKDATE_MS + ROOT_CA_VALIDITY_MS,
  });
  assert.ok(!root.certPem.includes('\r'), 'PEM uses \\n line endings like Docker\'s TrustRoot');
  assert.deepEqual(loadRootCa(root.certPem, root.keyPem), root);
});

test('loadRootCa refuses a key that is not the root\'s, and a certificate that is not a CA', async () => {
  const [root, other] = await twoRoots();
  assert.throws(() => loadRootCa(root.certPem, other.keyPem), { name: 'InvalidRootCaError', message: 'invalid root CA: key does not belong to the certificate' });
  const node = issueNode(root, 'worker');
  assert.throws(() => loadRootCa(node.certPem, node.keyPem), { name: 'InvalidRootCaError', message: 'invalid root CA: certificate is not a CA certificate' });
  assert.throws(() => loadRootCa('not a pem', root.keyPem), InvalidRootCaError);
});

test('a manager certificate names node, role and cluster and is usable as TLS server and client', async () => {
  const [root] = await twoRoots();
  const node = issueNode(root, 'manager', { nowMs: NOW_MS, expiryMs: 90 * 24 * HOUR_MS });
  const x509 = new X509Certificate(node.certPem);
  assert.equal(x509.subject, `O=${node.clusterId}\nOU=swarm-manager\nCN=${node.nodeId}`);
  assert.equal(x509.issuer, 'CN=swarm-ca');
  assert.equal(x509.ca, false);
  assert.deepEqual([...(x509.keyUsage ?? [])].sort(), [SERVER_AUTH, CLIENT_AUTH]);
  assert.equal(x509.subjectAltName, `DNS:swarm-manager, DNS:${node.nodeId}, DNS:swarm-ca`);
  assert.deepEqual(certificateValidity(node.certPem), {
    notBeforeMs: NOW_MS - NODE_CERT_BACKDATE_MS,
    notAfterMs: NOW_MS + 90 * 24 * HOUR_MS,
  });
  assert.equal(certificateExpiry(node.certPem), NOW_MS + 90 * 24 * HOUR_MS);
  assert.deepEqual(parsePeerIdentity(node.certPem), { nodeId: node.nodeId, role: 'manager', clusterId: node.clusterId });
});

test('certificates issued alternately by two roots each chain to the root that issued them', async () => {
  const [root, other] = await twoRoots();
  for (const [issuer, notIssuer] of [[root, other], [other, root], [root, other]] as const) {
    const x509 = new X509Certificate(issueNode(issuer, 'worker').certPem);
    assert.ok(x509.verify(new X509Certificate(issuer.certPem).publicKey));
    assert.equal(x509.verify(new X509Certificate(notIssuer.certPem).publicKey), false);
    assert.ok(x509.checkIssued(new X509Certificate(issuer.certPem)));
  }
});

test('a worker certificate has OU swarm-worker and is not a certificate-issuing name', async () => {
  const [root] = await twoRoots();
  const node = issueNode(root, 'worker');
  const x509 = new X509Certificate(node.certPem);
  assert.equal(x509.subjectAltName, `DNS:swarm-worker, DNS:${node.nodeId}`);
  assert.equal(parsePeerIdentity(node.certPem).role, 'worker');
});

test('an issued certificate chains to its root and not to another root', async () => {
  const [root, other] = await twoRoots();
  const node = issueNode(root, 'worker');
  const x509 = new X509Certificate(node.certPem);
  assert.ok(x509.checkIssued(new X509Certificate(root.certPem)));
  assert.ok(x509.verify(new X509Certificate(root.certPem).publicKey));
  assert.equal(x509.verify(new X509Certificate(other.certPem).publicKey), false);
  // forge's own chain verification agrees.
  const store = forge.pki.createCaStore([root.certPem]);
  assert.ok(forge.pki.verifyCertificateChain(store, [forge.pki.certificateFromPem(node.certPem)]));

  assert.deepEqual(verifyPeerCertificate(node.certPem, root.certPem), { nodeId: node.nodeId, role: 'worker', clusterId: node.clusterId });
  assert.throws(() => verifyPeerCertificate(node.certPem, other.certPem), {
    name: 'InvalidPeerCertificateError',
    message: 'invalid peer certificate: not issued by this cluster\'s root CA',
  });
});

test('verifyPeerCertificate refuses an expired certificate, one of another cluster, and a non-node certificate', async () => {
  const [root] = await twoRoots();
  const node = issueNode(root, 'manager', { nowMs: NOW_MS, expiryMs: 2 * HOUR_MS });
  assert.equal(verifyPeerCertificate(node.certPem, root.certPem, { nowMs: NOW_MS + HOUR_MS }).nodeId, node.nodeId);
  assert.throws(() => verifyPeerCertificate(node.certPem, root.certPem, { nowMs: NOW_MS + 3 * HOUR_MS }), {
    message: 'invalid peer certificate: outside its validity period',
  });
  assert.throws(() => verifyPeerCertificate(node.certPem, root.certPem, { nowMs: NOW_MS, clusterId: newId() }), {
    message: `invalid peer certificate: belongs to cluster ${node.clusterId}`,
  });
  assert.throws(() => verifyPeerCertificate(root.certPem, root.certPem), InvalidPeerCertificateError);
  assert.throws(() => verifyPeerCertificate(Buffer.from('junk'), root.certPem), InvalidPeerCertificateError);
});

test('the CA takes only the public key from a CSR, never its subject', async () => {
  const [root] = await twoRoots();
  const privateKey = forge.pki.privateKeyFromPem(NODE_TEST_KEYS[0] ?? '');
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  csr.setSubject([
    { name: 'commonName', value: 'aaaaaaaaaaaaaaaaaaaaaaaaa' },
    { name: 'organizationalUnitName', value: 'swarm-manager' },
  ]);
  csr.sign(privateKey, forge.md.sha256.create());
  const nodeId = newId();
  const clusterId = newId();
  const certPem = issueNodeCertificate({
    ca: root,
    csrPem: forge.pki.certificationRequestToPem(csr),
    nodeId,
    role: 'worker',
    clusterId,
    expiryMs: HOUR_MS,
  });
  assert.deepEqual(parsePeerIdentity(certPem), { nodeId, role: 'worker', clusterId });
});

function reissue(csrPem: string) {
  return () =>
    issueNodeCertificate({ ca: { certPem: '', keyPem: '' }, csrPem, nodeId: newId(), role: 'manager', clusterId: newId(), expiryMs: HOUR_MS });
}

test('a CSR whose signature does not match its key is refused', async () => {
  const { csrPem } = await createKeyAndCsr();
  const der = Buffer.from(csrPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01; // last byte of the signature
  const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  assert.throws(reissue(tampered), {
    name: 'InvalidCsrError',
    code: 'ERR_INVALID_CSR',
    message: 'invalid certificate signing request: signature does not match its public key',
  });
});

test('a CSR that does not parse, or has a short key, is refused', () => {
  assert.throws(reissue('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'), InvalidCsrError);
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const privateKey = forge.pki.privateKeyFromPem(weak.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  csr.sign(privateKey, forge.md.sha256.create());
  assert.throws(reissue(forge.pki.certificationRequestToPem(csr)), {
    message: 'invalid certificate signing request: key shorter than 2048 bits',
  });
});
