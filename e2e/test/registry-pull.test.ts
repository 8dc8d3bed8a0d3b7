// docker pull through the unmodified docker CLI from a real registry (Debian's docker-registry on a
// test host, plain HTTP, named with --insecure-registry), images pushed there by skopeo: layers with
// whiteouts, an OCI index over two platforms, errors in dockerd's words, a corrupted blob refused.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerCli, dockerOk, kill9, restartDaemon, waitFor, withCluster, type Host } from '../src/index.js';
import { INSECURE_TEST_REGISTRIES, skopeoPush, startRegistry, type TestRegistry } from '../src/registry.js';
import { writeBigArchive, writeLayeredArchive, writeMultiPlatformLayout } from '../src/registry-images.js';

test('docker pull fetches layered and multi-platform images from a registry, by tag and by digest, with dockerd\'s messages', async (t) => {
  const { dir, a, reg } = await hostWithRegistry(t, 'team/layered:1');

  const pulled = await dockerOk(a, ['pull', `${reg}/team/layered:1`], { timeoutMs: 60_000 });
  assert.match(pulled, /^1: Pulling from team\/layered$/m);
  assert.equal(pulled.match(/: Pull complete$/gm)?.length, 3, pulled);
  const digest = /^Digest: (sha256:[0-9a-f]{64})$/m.exec(pulled)?.[1];
  assert.ok(digest, pulled);
  assert.match(pulled, new RegExp(`^Status: Downloaded newer image for ${reg}/team/layered:1$`, 'm'));
  const ran = await dockerOk(a, ['run', '--rm', `${reg}/team/layered:1`, 'sh', '-c', 'ls /data; test -e /etc/gone && echo present || echo gone']);
  assert.equal(ran.trim(), 'c\ngone', 'the whiteout deleted /etc/gone and the opaque /data hid a and b');
  assert.equal((await dockerOk(a, ['image', 'inspect', '--format', '{{json .RepoDigests}}', `${reg}/team/layered:1`])).trim(), JSON.stringify([`${reg}/team/layered@${digest}`]));
  assert.match(await dockerOk(a, ['image', 'ls', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}']), new RegExp(`^${reg}/team/layered 1 ${digest}$`, 'm'));

  const history = (await dockerOk(a, ['image', 'history', '--no-trunc', '--format', '{{.ID}}|{{.CreatedBy}}', `${reg}/team/layered:1`])).trim().split('\n');
  const id = (await dockerOk(a, ['image', 'inspect', '--format', '{{.Id}}', `${reg}/team/layered:1`])).trim();
  assert.deepEqual(history, [`${id}|shoal e2e registry image`, '<missing>|shoal e2e registry image', '<missing>|shoal e2e registry image'], 'newest first, one row per layer');
  assert.equal((await dockerCli(a, ['image', 'history', 'nosuch:1'])).stderr.trim(), 'Error response from daemon: No such image: nosuch:1');

  const again = await dockerOk(a, ['pull', `${reg}/team/layered:1`]);
  assert.equal(again.trim(), `1: Pulling from team/layered\nDigest: ${digest}\nStatus: Image is up to date for ${reg}/team/layered:1\n${reg}/team/layered:1`);

  await dockerOk(a, ['rmi', `${reg}/team/layered:1`]);
  const byDigest = await dockerOk(a, ['pull', `${reg}/team/layered@${digest}`], { timeoutMs: 60_000 });
  assert.match(byDigest, new RegExp(`^Status: Downloaded newer image for ${reg}/team/layered@${digest}$`, 'm'));
  assert.equal((await dockerOk(a, ['run', '--rm', `${reg}/team/layered@${digest}`, 'cat', '/data/c'])).trim(), 'c');

  const missing = await dockerCli(a, ['pull', `${reg}/team/layered:nope`]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), `Error response from daemon: manifest for ${reg}/team/layered:nope not found: manifest unknown: manifest unknown`);

  writeMultiPlatformLayout(dir, join(dir, 'oci'), '1');
  await skopeoPush(a, `oci:${join(dir, 'oci')}:1`, `${reg}/multi:1`, { all: true });
  await dockerOk(a, ['pull', `${reg}/multi:1`], { timeoutMs: 60_000 });
  assert.equal((await dockerOk(a, ['run', '--rm', `${reg}/multi:1`, 'cat', '/platform'])).trim(), 'amd64', "the index entry of the node's platform");
  await dockerOk(a, ['pull', '--platform', 'linux/arm64', `${reg}/multi:1`], { timeoutMs: 60_000 });
  assert.equal((await dockerOk(a, ['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', `${reg}/multi:1`])).trim(), 'linux/arm64');
  const noPlatform = await dockerCli(a, ['pull', '--platform', 'linux/s390x', `${reg}/multi:1`]);
  assert.equal(noPlatform.stderr.trim(), 'Error response from daemon: no matching manifest for linux/s390x in the manifest list entries');
});

test('a blob corrupted on the registry is refused and nothing of the image is kept; a registry that is down is named', async (t) => {
  const { a, reg, registry } = await hostWithRegistry(t, 'layered:1');
  const blob = largestBlob(join(registry.dataDir, 'docker/registry/v2/blobs/sha256'));
  writeFileSync(blob.path, Buffer.alloc(blob.size, 0x5a));

  const corrupt = await dockerCli(a, ['pull', `${reg}/layered:1`], { timeoutMs: 60_000 });
  assert.equal(corrupt.code, 1);
  assert.match(corrupt.stderr, new RegExp(`filesystem layer verification failed for digest sha256:${blob.hex}`));
  assert.equal((await dockerOk(a, ['image', 'ls', '-q', '--all'])).trim(), '', 'no image appears');
  // docker run pulls again: verified layers of the first try are reused, the corrupt one is never kept.
  const retried = await dockerCli(a, ['run', '--rm', `${reg}/layered:1`, 'true'], { timeoutMs: 60_000 });
  assert.match(retried.stderr, /: Already exists\n/);
  assert.match(retried.stderr, new RegExp(`filesystem layer verification failed for digest sha256:${blob.hex}`));

  await registry.stop();
  const down = await dockerCli(a, ['pull', `${reg}/layered:1`]);
  assert.equal(down.code, 1);
  assert.equal(down.stderr.trim(), `Error response from daemon: Get "http://${reg}/v2/": dial tcp ${reg}: connect: connection refused`);
});

test('a daemon killed in the middle of a pull leaves no image and no unverified layer; the pull then succeeds', async (t) => {
  const { a, registry } = await hostWithRegistry(t, 'big:1', (dir, path) => writeBigArchive(dir, path, 'big:1', 4, 40_000_000));

  const pulling = dockerCli(a, ['pull', `${registry.address}/big:1`], { timeoutMs: 60_000 });
  const images = join(a.dataRoot, 'images');
  // A staging directory in the store's tmp means layers are on their way in.
  const staged = () => (existsSync(join(images, 'tmp')) ? readdirSync(join(images, 'tmp')) : []);
  await waitFor('the pull to be downloading', async () => (staged().length > 0 ? true : undefined), { timeoutMs: 20_000, intervalMs: 20 });
  await kill9(a);
  assert.notEqual((await pulling).code, 0, 'the pull was cut off, not finished');
  await restartDaemon(a);
  assert.equal((await dockerOk(a, ['image', 'ls', '-q', '--all'])).trim(), '', 'no image appears');
  assert.deepEqual(staged(), [], 'the unfinished download is gone');
  for (const file of existsSync(join(images, 'layers')) ? readdirSync(join(images, 'layers')) : []) {
    assert.equal(`${sha256File(join(images, 'layers', file))}.tar`, file, 'every kept layer is whole and verified');
  }
  const again = await dockerOk(a, ['pull', `${registry.address}/big:1`], { timeoutMs: 60_000 });
  assert.match(again, /Status: Downloaded newer image/);
  assert.equal((await dockerOk(a, ['run', '--rm', `${registry.address}/big:1`, 'ls', '/data'])).trim(), '0\n1\n2\n3');
});

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A one-host cluster running a registry, with a test image (default: the layered one) pushed there by skopeo as `repoTag`. */
async function hostWithRegistry(
  t: TestContext,
  repoTag: string,
  writeImage: (dir: string, path: string) => void = (dir, path) => writeLayeredArchive(dir, path, 'layered:1'),
): Promise<{ dir: string; a: Host; reg: string; registry: TestRegistry }> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-pull-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cluster = await withCluster(t, { managers: 1, daemonCommand: INSECURE_TEST_REGISTRIES });
  const [a] = cluster.hosts;
  assert.ok(a);
  const registry = await startRegistry(t, a);
  writeImage(dir, join(dir, 'image.tar'));
  await skopeoPush(a, `docker-archive:${join(dir, 'image.tar')}`, `${registry.address}/${repoTag}`);
  return { dir, a, reg: registry.address, registry };
}

/** The biggest blob file under the registry's blob store: a layer, never the small config or manifest. */
function largestBlob(root: string): { path: string; hex: string; size: number } {
  let best = { path: '', hex: '', size: -1 };
  for (const prefix of readdirSync(root)) {
    for (const hex of readdirSync(join(root, prefix))) {
      const path = join(root, prefix, hex, 'data');
      const size = statSync(path).size;
      if (size > best.size) best = { path, hex, size };
    }
  }
  return best;
}
