// The layout of a `docker save` archive as dockerd 20.10 writes it (moby image/tarexport, the legacy
// docker-archive format that `docker load` and skopeo's docker-archive: read): per layer a directory
// named by a v1 ID holding VERSION, json and layer.tar; the image config as <config sha256>.json;
// manifest.json listing each image's config, tags and layers; and `repositories` for the tagged ones.
// Pure: it plans the files; the store copies the bytes.
import { createHash } from 'node:crypto';
import { parseReference } from './reference.js';
import type { ImageConfigDocument } from './types.js';

/** One image to save, with the tags the request named (null when it was named by ID). */
export interface SaveRequestImage {
  /** "sha256:<hex>" */
  readonly id: string;
  readonly config: ImageConfigDocument;
  readonly repoTags: readonly string[] | null;
}

/** A file of the archive: its bytes, or the store file (a layer tar, a config) whose bytes it takes. */
export type ArchiveFile = { readonly path: string; readonly content: string } | { readonly path: string; readonly source: SourceRef };

export type SourceRef = { readonly kind: 'layer'; readonly diffId: string } | { readonly kind: 'config'; readonly imageId: string };

const EPOCH = '1970-01-01T00:00:00Z';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The OCI chain IDs of a layer stack: chain[0] = diff[0], chain[n] = sha256(chain[n-1] + " " + diff[n]). */
export function chainIds(diffIds: readonly string[]): string[] {
  const chains: string[] = [];
  for (const diff of diffIds) {
    const prev = chains.at(-1);
    chains.push(prev === undefined ? diff : `sha256:${sha256(`${prev} ${diff}`)}`);
  }
  return chains;
}

/**
 * The v1 ID of each layer directory. Like moby's v1.CreateID it hashes the layer's chain ID and its
 * parent's v1 ID, so the same layer stack always gets the same directory names.
 */
export function v1Ids(diffIds: readonly string[]): string[] {
  const ids: string[] = [];
  for (const chain of chainIds(diffIds)) {
    const parent = ids.at(-1);
    ids.push(sha256(JSON.stringify({ created: EPOCH, layer_id: chain, ...(parent !== undefined ? { parent: `sha256:${parent}` } : {}) })));
  }
  return ids;
}

/** The v1 "json" of a layer directory: the image's own settings on its top layer, a stub below. */
function v1Json(config: ImageConfigDocument, id: string, parent: string | undefined, top: boolean): string {
  const { rootfs: _rootfs, history: _history, ...v1 } = config;
  const base = top ? { ...v1, id } : { id, created: EPOCH, container_config: { Cmd: null, Env: null }, os: config.os ?? 'linux' };
  return JSON.stringify(parent === undefined ? base : { ...base, parent });
}

/** Every file of the archive, each path once, in the order dockerd writes them. */
export function saveArchiveFiles(images: readonly SaveRequestImage[]): ArchiveFile[] {
  const layers = new Map<string, ArchiveFile[]>();
  const configs = new Map<string, ArchiveFile>();
  const manifest: { Config: string; RepoTags: readonly string[] | null; Layers: string[] }[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const image of images) {
    const diffIds = image.config.rootfs?.diff_ids ?? [];
    const ids = v1Ids(diffIds);
    ids.forEach((id, i) => {
      if (layers.has(id)) return;
      layers.set(id, [
        { path: `${id}/VERSION`, content: '1.0' },
        { path: `${id}/json`, content: v1Json(image.config, id, ids[i - 1], i === ids.length - 1) },
        { path: `${id}/layer.tar`, source: { kind: 'layer', diffId: diffIds[i]! } },
      ]);
    });
    const configName = `${image.id.slice('sha256:'.length)}.json`;
    configs.set(configName, { path: configName, source: { kind: 'config', imageId: image.id } });
    manifest.push({ Config: configName, RepoTags: image.repoTags, Layers: ids.map((id) => `${id}/layer.tar`) });
    const top = ids.at(-1);
    for (const tag of image.repoTags ?? []) {
      const ref = parseReference(tag);
      if (top !== undefined) (repositories[ref.name] ??= {})[ref.tag] = top;
    }
  }
  return [
    ...[...layers.values()].flat(),
    ...configs.values(),
    { path: 'manifest.json', content: JSON.stringify(manifest) },
    ...(Object.keys(repositories).length > 0 ? [{ path: 'repositories', content: JSON.stringify(repositories) }] : []),
  ];
}
