// `docker push`: uploads an image's layers (gzip-compressed from the kept tars, as dockerd compresses
// them), its config and a Docker schema 2 manifest under the tag, with dockerd's progress messages.
// Blobs the repository already has are not sent again ("Layer already exists").
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ImageStore } from '../images/store.js';
import type { ImageRecord } from '../images/types.js';
import type { RegistryAuth } from './auth.js';
import { RegistrySession } from './client.js';
import type { RegistryOptions } from './endpoints.js';
import { MEDIA } from './manifest.js';
import { layerMessage, progressMessage, PROGRESS_STEP_BYTES, shortDigest, type ProgressSink } from './progress.js';
import { tap } from './pull.js';
import { familiarRepository, parseRemoteReference, type RemoteReference } from './reference.js';

const GZIP_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

export interface ResolvedPush {
  readonly ref: RemoteReference & { readonly tag: string };
  readonly image: ImageRecord;
  readonly session: RegistrySession;
}

/** Finds the image and opens the registry for pushing: failures here are the request's HTTP error. */
export async function resolvePush(store: ImageStore, name: string, tag: string, auth: RegistryAuth, options: RegistryOptions): Promise<ResolvedPush> {
  const ref = parseRemoteReference(`${name}:${tag}`);
  const image = store.resolve(`${familiarRepository(ref)}:${ref.tag}`);
  const session = await RegistrySession.open(ref, options, auth, 'pull,push');
  return { ref: { ...ref, tag: ref.tag! }, image, session };
}

export async function completePush(store: ImageStore, push: ResolvedPush, progress: ProgressSink): Promise<void> {
  const { ref, image, session } = push;
  progress({ status: `The push refers to repository [${familiarRepository(ref)}]` });
  const diffIds = image.config.rootfs?.diff_ids ?? [];
  for (const d of [...diffIds].reverse()) progress(layerMessage(shortDigest(d), 'Preparing'));
  const layers: { mediaType: string; size: number; digest: string }[] = [];
  for (const diffId of diffIds) layers.push(await pushLayer(store, session, diffId, progress));
  const config = await store.configBytes(image.id);
  if (!(await session.hasBlob(image.id))) await session.uploadBlob(image.id, config.length, () => config);
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.dockerManifest, config: { mediaType: MEDIA.dockerConfig, size: config.length, digest: image.id }, layers }, null, 3),
  );
  await session.putManifest(ref.tag, manifest, MEDIA.dockerManifest);
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  await store.addRepoDigest(`${familiarRepository(ref)}@${digest}`, image.id);
  progress({ status: `${ref.tag}: digest: ${digest} size: ${manifest.length}` });
  progress({ progressDetail: {}, aux: { Tag: ref.tag, Digest: digest, Size: manifest.length } });
}

/** Compresses one kept layer, and uploads it unless the repository has it. */
async function pushLayer(store: ImageStore, session: RegistrySession, diffId: string, progress: ProgressSink): Promise<{ mediaType: string; size: number; digest: string }> {
  const id = shortDigest(diffId);
  const tar = await store.layers.file(diffId);
  const dir = await store.stagingDir();
  try {
    const blob = join(dir, 'layer.tar.gz');
    const hash = createHash('sha256');
    await pipeline(createReadStream(tar), createGzip(), tap((chunk) => hash.update(chunk)), createWriteStream(blob));
    const digest = `sha256:${hash.digest('hex')}`;
    const size = (await stat(blob)).size;
    if (await session.hasBlob(digest)) {
      progress(layerMessage(id, 'Layer already exists'));
    } else {
      let sent = 0;
      let reported = 0;
      await session.uploadBlob(digest, size, () =>
        createReadStream(blob).pipe(
          tap((chunk) => {
            sent += chunk.length;
            if (sent - reported < PROGRESS_STEP_BYTES && sent < size) return;
            reported = sent;
            progress(progressMessage(id, 'Pushing', sent, size));
          }),
        ),
      );
      progress(layerMessage(id, 'Pushed'));
    }
    return { mediaType: GZIP_LAYER, size, digest };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
