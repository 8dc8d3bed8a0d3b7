import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateStoreCorruptError, NodeCertificateStore, type NodeTlsIdentity } from '../../src/ca/index.js';
import { issueNode, rootCa } from './helpers.js';

async function tempDataRoot(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-certs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The next node identity; consecutive calls give different keys. */
async function identity(): Promise<NodeTlsIdentity> {
  const root = await rootCa();
  const node = issueNode(root, 'manager');
  return { keyPem: node.keyPem, certPem: node.certPem, rootCaPem: root.certPem };
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

test('save writes the key 0600 in a 0700 certificates directory, and load reads it back', async (t) => {
  const dataRoot = await tempDataRoot(t);
  const store = new NodeCertificateStore(dataRoot);
  assert.equal(store.dir, join(dataRoot, 'certificates'));
  assert.equal(await store.load(), null, 'no identity before the first save');
  const saved = await identity();
  await store.save(saved);
  assert.equal(await mode(store.dir), 0o700);
  assert.equal(await mode(join(store.dir, 'swarm-node.key')), 0o600);
  assert.deepEqual((await readdir(store.dir)).sort(), ['swarm-node.crt', 'swarm-node.key', 'swarm-root-ca.crt']);
  assert.deepEqual(await new NodeCertificateStore(dataRoot).load(), saved);
});

test('save replaces a renewed key and certificate, leaving no temporary files', async (t) => {
  const store = new NodeCertificateStore(await tempDataRoot(t));
  await store.save(await identity());
  const renewed = await identity();
  await store.save(renewed);
  assert.deepEqual(await store.load(), renewed);
  assert.deepEqual((await readdir(store.dir)).sort(), ['swarm-node.crt', 'swarm-node.key', 'swarm-root-ca.crt']);
  assert.equal(await mode(join(store.dir, 'swarm-node.key')), 0o600);
});

test('load completes a renewal cut short after the key was replaced', async (t) => {
  const store = new NodeCertificateStore(await tempDataRoot(t));
  await store.save(await identity());
  const renewed = await identity();
  // The state a crash between the two renames leaves: new key in place, new certificate still pending.
  await writeFile(join(store.dir, 'swarm-node.key'), renewed.keyPem, { mode: 0o600 });
  await writeFile(join(store.dir, 'swarm-node.crt.tmp'), renewed.certPem);
  assert.deepEqual(await store.load(), renewed);
  assert.deepEqual((await readdir(store.dir)).sort(), ['swarm-node.crt', 'swarm-node.key', 'swarm-root-ca.crt']);
});

test('load drops a renewal cut short before the key was replaced', async (t) => {
  const store = new NodeCertificateStore(await tempDataRoot(t));
  const original = await identity();
  await store.save(original);
  const renewed = await identity();
  await writeFile(join(store.dir, 'swarm-node.key.tmp'), renewed.keyPem, { mode: 0o600 });
  await writeFile(join(store.dir, 'swarm-node.crt.tmp'), renewed.certPem);
  assert.deepEqual(await store.load(), original);
  assert.deepEqual((await readdir(store.dir)).sort(), ['swarm-node.crt', 'swarm-node.key', 'swarm-root-ca.crt']);
});

test('load refuses a key that does not belong to the certificate, and missing files', async (t) => {
  const store = new NodeCertificateStore(await tempDataRoot(t));
  await store.save(await identity());
  const stranger = await identity();
  await writeFile(join(store.dir, 'swarm-node.key'), stranger.keyPem);
  await assert.rejects(store.load(), (error: unknown) => error instanceof CertificateStoreCorruptError && error.code === 'ERR_CERTIFICATE_STORE_CORRUPT' && /does not belong/.test(error.message));
  await rename(join(store.dir, 'swarm-node.crt'), join(store.dir, 'elsewhere'));
  await assert.rejects(store.load(), /missing one of swarm-node.key, swarm-node.crt, swarm-root-ca.crt/);
});

test('save refuses a key and certificate that do not belong together; remove forgets the identity', async (t) => {
  const store = new NodeCertificateStore(await tempDataRoot(t));
  const a = await identity();
  const b = await identity();
  await assert.rejects(store.save({ ...a, keyPem: b.keyPem }), RangeError);
  await store.save(a);
  await store.remove();
  await store.remove();
  assert.equal(await store.load(), null);
});
