import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { ImageStore } from '../../src/images/index.js';
import { completePull, resolvePull } from '../../src/registry/pull.js';
import type { ProgressMessage } from '../../src/registry/progress.js';

const digest = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * A registry in this process on loopback (insecure by default, as dockerd treats 127.0.0.0/8): repos
 * "a" and "b" hold the same two-layer image; blob answers are delayed so two pulls overlap. Counts GETs.
 */
async function fakeRegistry(t: TestContext, dir: string, corrupt = false) {
  const layers = ['one', 'two'].map((name) => {
    const root = join(dir, name);
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, name), name.repeat(1000));
    execFileSync('tar', ['-c', '-f', join(dir, `${name}.tar`), '-C', root, '.']);
    const tar = readFileSync(join(dir, `${name}.tar`));
    return { tar, gz: gzipSync(tar) };
  });
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => digest(l.tar)) } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: digest(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: digest(l.gz), size: l.gz.length })),
  }));
  const blobs = new Map([[digest(config), config], ...layers.map((l) => [digest(l.gz), corrupt ? Buffer.alloc(l.gz.length, 1) : l.gz] as const)]);
  const gets: string[] = [];
  const server = createServer(async (req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/') return res.end('{}');
    const m = /^\/v2\/(a|b)\/(manifests|blobs)\/(.+)$/.exec(url);
    if (m?.[2] === 'manifests') {
      res.setHeader('Content-Type', 'application/vnd.docker.distribution.manifest.v2+json');
      return res.end(manifest);
    }
    const blob = m ? blobs.get(m[3]!) : undefined;
    if (blob === undefined) return res.writeHead(404).end('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}');
    gets.push(m![3]!);
    await sleep(150);
    res.end(blob);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  return { host: `127.0.0.1:${port}`, gets, layerDigests: layers.map((l) => digest(l.gz)), configDigest: digest(config) };
}

test('two pulls of images sharing layers at once download each layer once; the image appears whole', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-pull-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const registry = await fakeRegistry(t, dir);
  const store = await ImageStore.open(join(dir, 'images'));
  const options = { insecureRegistries: [], certsDir: join(dir, 'certs.d') };
  const messages: ProgressMessage[][] = [[], []];
  const [a, b] = await Promise.all(['a', 'b'].map((repo) => resolvePull({ reference: `${registry.host}/${repo}:1`, auth: {} }, options)));
  await Promise.all([a!, b!].map((p, i) => completePull(store, p, (m) => messages[i]!.push(m))));
  for (const d of registry.layerDigests) assert.equal(registry.gets.filter((g) => g === d).length, 1, `layer ${d} fetched once`);
  const image = store.resolve(`${registry.host}/a:1`);
  assert.equal(store.resolve(`${registry.host}/b:1`).id, image.id);
  assert.equal(readFileSync(join(image.rootfsDir, 'two'), 'utf8'), 'two'.repeat(1000));
  assert.ok(messages.flat().some((m) => m.status === 'Waiting'), 'the second pull waited for the first one\'s download');
  assert.equal(messages[0]!.at(-1)?.status, `Status: Downloaded newer image for ${registry.host}/a:1`);
});

test('a layer whose bytes do not match its digest is refused and no image is made', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-pull-bad-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const registry = await fakeRegistry(t, dir, true);
  const store = await ImageStore.open(join(dir, 'images'));
  const pull = await resolvePull({ reference: `${registry.host}/a:1`, auth: {} }, { insecureRegistries: [], certsDir: join(dir, 'certs.d') });
  await assert.rejects(completePull(store, pull, () => undefined), /^RegistryError: filesystem layer verification failed for digest sha256:[0-9a-f]{64}$/);
  assert.deepEqual(store.list(), []);
  for (const d of pull.config.rootfs!.diff_ids) assert.equal(await store.layers.has(d), false, 'no unverified layer is kept');
});
