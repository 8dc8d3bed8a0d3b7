// `docker pull` into the node's image store, in two steps so that errors a user must see as an HTTP
// status (no such tag, access denied, registry down) come before the progress stream starts:
// `resolvePull` finds the manifest for the node's platform and the image config; `completePull`
// downloads the missing layers (three at a time, as dockerd), verifies every blob's digest and every
// layer's diff ID before keeping it, and lets the store make the image from its layers.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { ImageStore } from '../images/store.js';
import type { ImageConfigDocument, ImageRecord } from '../images/types.js';
import type { RegistryAuth } from './auth.js';
import { RegistryError, RegistrySession } from './client.js';
import type { RegistryOptions } from './endpoints.js';
import { choosePlatform, formatPlatform, parsePlatform, type Descriptor, type ImageManifest, type Platform } from './manifest.js';
import { layerMessage, progressMessage, PROGRESS_STEP_BYTES, shortDigest, type ProgressSink } from './progress.js';
import { familiarRepository, familiarString, parseRemoteReference, type RemoteReference } from './reference.js';

const CONCURRENT_DOWNLOADS = 3;

export interface PullRequest {
  /** "198.51.100.1:5000/x:1", "x@sha256:…" */
  readonly reference: string;
  readonly auth: RegistryAuth;
  /** --platform ("linux/arm64"); default the node's. */
  readonly platform?: string;
}

export interface ResolvedPull {
  readonly ref: RemoteReference;
  /** Of the manifest (or index) the reference names: what `Digest:` and RepoDigests show. */
  readonly digest: string;
  readonly imageId: string;
  readonly manifest: ImageManifest;
  readonly config: ImageConfigDocument;
  readonly configBytes: Buffer;
  readonly session: RegistrySession;
}

function nodePlatform(): Platform {
  return { os: 'linux', architecture: process.arch === 'x64' ? 'amd64' : process.arch };
}

export async function resolvePull(req: PullRequest, options: RegistryOptions): Promise<ResolvedPull> {
  const ref = parseRemoteReference(req.reference);
  const want = req.platform ? parsePlatform(req.platform, nodePlatform()) : nodePlatform();
  const session = await RegistrySession.open(ref, options, req.auth);
  const top = await session.manifest(ref.digest ?? ref.tag!);
  let manifest = top.manifest;
  if (manifest.kind === 'index') {
    const entry = choosePlatform(manifest, want);
    if (entry === undefined) throw new RegistryError('not-found', `no matching manifest for ${formatPlatform(want)} in the manifest list entries`);
    manifest = (await session.manifest(entry.digest)).manifest;
    if (manifest.kind !== 'image') throw new RegistryError('invalid-argument', `manifest ${entry.digest} of the index is not an image manifest`);
  }
  const configBytes = await fetchVerified(session, manifest.config);
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfigDocument;
  if (req.platform && top.manifest.kind === 'image' && (config.os !== want.os || config.architecture !== want.architecture)) {
    throw new RegistryError(
      'not-found',
      `image with reference ${familiarString(ref)} was found but does not match the specified platform: wanted ${formatPlatform(want)}, actual: ${config.os}/${config.architecture}`,
    );
  }
  if ((config.rootfs?.diff_ids.length ?? 0) !== manifest.layers.length) {
    throw new RegistryError('invalid-argument', `image ${familiarString(ref)}: the manifest has ${manifest.layers.length} layers but the config lists ${config.rootfs?.diff_ids.length ?? 0}`);
  }
  return { ref, digest: top.digest, imageId: manifest.config.digest, manifest, config, configBytes, session };
}

/** Downloads what the store lacks and records the image; returns it and whether anything changed. */
export async function completePull(store: ImageStore, pull: ResolvedPull, progress: ProgressSink): Promise<{ image: ImageRecord; upToDate: boolean }> {
  const { ref } = pull;
  const repoDigest = `${familiarRepository(ref)}@${pull.digest}`;
  const tag = ref.digest === undefined ? `${familiarRepository(ref)}:${ref.tag}` : undefined;
  const existing = tryResolve(store, pull.imageId);
  const upToDate = existing !== undefined && (tag !== undefined ? existing.repoTags.includes(tag) : existing.repoDigests.includes(repoDigest));
  progress({ status: `Pulling from ${ref.path}`, id: ref.digest ?? ref.tag! });
  const diffIds = pull.config.rootfs!.diff_ids;
  const fresh = existing === undefined ? await missingLayers(store, pull.manifest, diffIds) : new Set<number>();
  // An image already here gets no per-layer lines at all, as with dockerd.
  for (const [i, layer] of existing === undefined ? pull.manifest.layers.entries() : []) {
    progress(layerMessage(shortDigest(layer.digest), fresh.has(i) ? 'Pulling fs layer' : 'Already exists'));
  }
  const kept: string[] = [];
  try {
    await inParallel([...fresh], CONCURRENT_DOWNLOADS, async (i) => {
      await sharedDownload(store, diffIds[i]!, progress, pull.manifest.layers[i]!, () => downloadLayer(store, pull.session, pull.manifest.layers[i]!, diffIds[i]!, progress));
      kept.push(diffIds[i]!);
    });
    const image = await store.commitLayers(pull.configBytes, { ...(tag !== undefined ? { tag } : {}), repoDigest }, (i, phase) => {
      if (!fresh.has(i)) return;
      const layer = pull.manifest.layers[i]!;
      const id = shortDigest(layer.digest);
      progress(phase === 'extracting' ? progressMessage(id, 'Extracting', layer.size, layer.size) : layerMessage(id, 'Pull complete'));
    });
    progress({ status: `Digest: ${pull.digest}` });
    progress({ status: `Status: ${upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${familiarString(ref)}` });
    return { image, upToDate };
  } finally {
    store.layers.unpin(kept);
  }
}

/** Downloads in progress per store, by diff ID: a second pull of the same layer waits for the first. */
const downloads = new WeakMap<ImageStore, Map<string, Promise<void>>>();

/** Runs `download` unless this layer is already being downloaded; either way the layer ends up pinned for this pull. */
async function sharedDownload(store: ImageStore, diffId: string, progress: ProgressSink, layer: Descriptor, download: () => Promise<void>): Promise<void> {
  const running = downloads.get(store) ?? new Map<string, Promise<void>>();
  downloads.set(store, running);
  const other = running.get(diffId);
  if (other !== undefined) {
    progress(layerMessage(shortDigest(layer.digest), 'Waiting'));
    await other;
    store.layers.pin(diffId);
    progress(layerMessage(shortDigest(layer.digest), 'Download complete'));
    return;
  }
  const mine = download().finally(() => running.delete(diffId));
  running.set(diffId, mine);
  await mine;
}

function tryResolve(store: ImageStore, id: string): ImageRecord | undefined {
  try {
    return store.resolve(id);
  } catch {
    return undefined;
  }
}

async function missingLayers(store: ImageStore, manifest: ImageManifest, diffIds: readonly string[]): Promise<Set<number>> {
  const missing = new Set<number>();
  for (const i of manifest.layers.keys()) if (!(await store.layers.has(diffIds[i]!))) missing.add(i);
  return missing;
}

/**
 * Downloads one layer blob and unpacks its compression in the same pass; keeps the tar only when the
 * blob's digest and then the tar's diff ID both match. A blob that fails to decompress is still read
 * to its end, so a corrupt blob is reported as the digest mismatch it is.
 */
async function downloadLayer(store: ImageStore, session: RegistrySession, layer: ImageManifest['layers'][number], diffId: string, progress: ProgressSink): Promise<void> {
  const id = shortDigest(layer.digest);
  const dir = await store.stagingDir();
  try {
    const tarFile = join(dir, 'layer.tar');
    const { body } = await session.blob(layer.digest);
    const blobHash = createHash('sha256');
    const diffHash = createHash('sha256');
    const unpack = layer.compression === 'gzip' ? createGunzip() : new PassThrough();
    let unpackError: unknown;
    const unpacked = pipeline(unpack, tap((c) => diffHash.update(c)), createWriteStream(tarFile)).catch((err: unknown) => {
      unpackError = err;
    });
    let current = 0;
    let reported = 0;
    const meter = tap((chunk) => {
      blobHash.update(chunk);
      current += chunk.length;
      if (current - reported >= PROGRESS_STEP_BYTES || current === layer.size) {
        reported = current;
        progress(progressMessage(id, 'Downloading', current, layer.size));
      }
    });
    await pipeline(body, meter, feed(unpack, () => unpackError !== undefined));
    await unpacked;
    progress(layerMessage(id, 'Verifying Checksum'));
    if (`sha256:${blobHash.digest('hex')}` !== layer.digest) throw new RegistryError('internal', `filesystem layer verification failed for digest ${layer.digest}`);
    progress(layerMessage(id, 'Download complete'));
    if (unpackError !== undefined) {
      throw new RegistryError('internal', `failed to register layer ${layer.digest}: ${unpackError instanceof Error ? unpackError.message : String(unpackError)}`);
    }
    const actualDiffId = `sha256:${diffHash.digest('hex')}`;
    if (actualDiffId !== diffId) throw new RegistryError('internal', `failed to register layer: layer ${layer.digest} unpacks to ${actualDiffId}, not the image's ${diffId}`);
    await store.layers.keepPinned(tarFile, diffId);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A sink that passes chunks on to `target` (with its backpressure) until `failed()`, then drops them. */
function feed(target: Writable, failed: () => boolean): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      if (failed() || target.destroyed) return done();
      if (target.write(chunk)) return done();
      const resume = () => {
        target.off('drain', resume);
        target.off('close', resume);
        done();
      };
      target.on('drain', resume);
      target.on('close', resume);
    },
    final(done) {
      if (!target.destroyed) target.end();
      done();
    },
  });
}

/** Fetches a small blob (the image config) whole and checks its digest. */
async function fetchVerified(session: RegistrySession, d: Descriptor): Promise<Buffer> {
  const { body } = await session.blob(d.digest);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  if (`sha256:${createHash('sha256').update(bytes).digest('hex')}` !== d.digest) {
    throw new RegistryError('internal', `image config verification failed for digest ${d.digest}`);
  }
  return bytes;
}

/** A pass-through stream that shows each chunk to `onChunk` (hashing, counting). */
export function tap(onChunk: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      onChunk(chunk);
      done(null, chunk);
    },
  });
}

/** Runs `work` on `items`, `limit` at a time; after a failure starts no more, waits for the rest, rethrows. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  let failure: { err: unknown } | undefined;
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined && failure === undefined; item = queue.shift()) {
      await work(item).catch((err: unknown) => {
        failure ??= { err };
      });
    }
  });
  await Promise.all(workers);
  if (failure !== undefined) throw failure.err;
}

export interface DistributionInspect {
  readonly Descriptor: { readonly mediaType: string; readonly digest: string; readonly size: number };
  readonly Platforms: readonly { readonly architecture: string; readonly os: string; readonly variant?: string }[] | null;
}

/**
 * `GET /distribution/{name}/json`: the digest the reference names now and the platforms it exists for
 * (an index's entries, or a single manifest's config), which `docker service create` pins.
 */
export async function inspectDistribution(reference: string, auth: RegistryAuth, options: RegistryOptions): Promise<DistributionInspect> {
  const ref = parseRemoteReference(reference);
  const session = await RegistrySession.open(ref, options, auth);
  const top = await session.manifest(ref.digest ?? ref.tag!);
  const m = top.manifest;
  let platforms: DistributionInspect['Platforms'];
  if (m.kind === 'index') {
    platforms = m.manifests.flatMap((d) => (d.platform ? [{ architecture: d.platform.architecture, os: d.platform.os, ...(d.platform.variant ? { variant: d.platform.variant } : {}) }] : []));
  } else {
    const config = JSON.parse((await fetchVerified(session, m.config)).toString('utf8')) as ImageConfigDocument;
    platforms = config.architecture && config.os ? [{ architecture: config.architecture, os: config.os }] : null;
  }
  return { Descriptor: { mediaType: m.mediaType, digest: top.digest, size: top.size }, Platforms: platforms };
}
