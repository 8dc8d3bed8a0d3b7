// Test images for registry tests, built with tar: a multi-layer docker-archive whose upper layers
// delete a file (whiteout) and hide a directory's lower content (opaque marker), and an OCI layout
// holding an index over two platforms. Layer content is the busybox test root filesystem.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeBusyboxRootfsTar } from '@shoal/cli/cluster';

const CREATED = '2026-01-01T00:00:00Z';

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A layer tar of `files` (path → content) built in `dir`; returns its path. */
function layerTar(dir: string, name: string, files: Readonly<Record<string, string | Buffer>>): string {
  const root = join(dir, `${name}-root`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const tar = join(dir, `${name}.tar`);
  execFileSync('tar', ['-c', '--numeric-owner', '--owner=0', '--group=0', '-f', tar, '-C', root, '.']);
  return tar;
}

function imageConfig(diffIds: readonly string[], architecture = 'amd64'): string {
  return JSON.stringify({
    architecture,
    os: 'linux',
    created: CREATED,
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds.map((d) => `sha256:${d}`) },
    history: diffIds.map(() => ({ created: CREATED, created_by: 'shoal e2e registry image' })),
  });
}

/**
 * Writes a docker-archive (`docker save` layout) of three layers to `path`: busybox; then /data/a,
 * /data/b and /etc/gone; then a whiteout of /etc/gone, an opaque /data and /data/c. A correct pull
 * shows /data holding only c and no /etc/gone.
 */
export function writeLayeredArchive(dir: string, path: string, repoTag: string): void {
  const base = join(dir, 'base.tar');
  writeBusyboxRootfsTar(base);
  writeArchive(dir, path, repoTag, [
    base,
    layerTar(dir, 'add', { 'data/a': 'a\n', 'data/b': 'b\n', 'etc/gone': 'deleted later\n' }),
    layerTar(dir, 'remove', { 'etc/.wh.gone': '', 'data/.wh..wh..opq': '', 'data/c': 'c\n' }),
  ]);
}

/** Writes a docker-archive of busybox plus `count` layers of `layerBytes` random (incompressible) bytes each. */
export function writeBigArchive(dir: string, path: string, repoTag: string, count: number, layerBytes: number): void {
  const base = join(dir, 'big-base.tar');
  writeBusyboxRootfsTar(base);
  const layers = [base];
  for (let i = 0; i < count; i++) layers.push(layerTar(dir, `big-${i}`, { [`data/${i}`]: randomBytes(layerBytes) }));
  writeArchive(dir, path, repoTag, layers);
}

function writeArchive(dir: string, path: string, repoTag: string, layers: readonly string[]): void {
  const archive = join(dir, `archive-${sha256(repoTag).slice(0, 8)}`);
  const diffIds = layers.map((l) => sha256(readFileSync(l)));
  for (const [i, layer] of layers.entries()) {
    mkdirSync(join(archive, diffIds[i]!), { recursive: true });
    execFileSync('cp', [layer, join(archive, diffIds[i]!, 'layer.tar')]);
  }
  const config = imageConfig(diffIds);
  writeFileSync(join(archive, `${sha256(config)}.json`), config);
  writeFileSync(join(archive, 'manifest.json'), JSON.stringify([{ Config: `${sha256(config)}.json`, RepoTags: [repoTag], Layers: diffIds.map((d) => `${d}/layer.tar`) }]));
  execFileSync('tar', ['-c', '-f', path, '-C', archive, '.']);
}

/**
 * Writes an OCI layout at `layout` whose tag `tag` is an index over linux/amd64 and linux/arm64: the
 * same busybox layer, plus an uncompressed layer with /platform naming the platform.
 */
export function writeMultiPlatformLayout(dir: string, layout: string, tag: string): void {
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (bytes: Buffer | string, mediaType: string, extra: Record<string, unknown> = {}) => {
    const hex = sha256(bytes);
    writeFileSync(join(blobs, hex), bytes);
    return { mediaType, digest: `sha256:${hex}`, size: Buffer.byteLength(bytes), ...extra };
  };
  const base = join(dir, 'mp-base.tar');
  writeBusyboxRootfsTar(base);
  const baseBytes = readFileSync(base);
  const baseLayer = put(baseBytes, 'application/vnd.oci.image.layer.v1.tar');
  const manifests = ['amd64', 'arm64'].map((arch) => {
    const marker = readFileSync(layerTar(dir, `mp-${arch}`, { platform: `${arch}\n` }));
    const layer = put(marker, 'application/vnd.oci.image.layer.v1.tar');
    const config = put(imageConfig([sha256(baseBytes), sha256(marker)], arch), 'application/vnd.oci.image.config.v1+json');
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [baseLayer, layer] });
    return put(manifest, 'application/vnd.oci.image.manifest.v1+json', { platform: { architecture: arch, os: 'linux' } });
  });
  const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
  const indexDesc = put(index, 'application/vnd.oci.image.index.v1+json', { annotations: { 'org.opencontainers.image.ref.name': tag } });
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [indexDesc] }));
}
