// The node's image store under <data-root>/images: one directory per image (its config document, the
// flattened root filesystem, metadata), a tag table, and the layer tars by diff ID (layers/<hex>.tar),
// kept so that `docker save` gives back the very layers the image ID names. `docker import` and
// `docker load` fill it.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { runCommand } from '../runtime/command.js';
import { KeptLayers } from './kept-layers.js';
import { applyLayer, createRootfs } from './layers.js';
import { formatReference, parseReference } from './reference.js';
import { saveArchiveFiles, type SaveRequestImage } from './save-archive.js';
import { ImageError, type ImageConfigDocument, type ImageRecord, type ImageRunConfig } from './types.js';

const ID_RE = /^(?:sha256:)?([0-9a-f]{1,64})$/;
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ImportOptions {
  /** "busybox:latest"; undefined leaves the image untagged. */
  readonly reference?: string;
  readonly message?: string;
  /** The image's config from `base` (what an import starts from), as `docker import --change` sets it. */
  readonly configure?: (base: ImageRunConfig) => ImageRunConfig;
}

/** Who uses an image: the container runtime answers, the store refuses to delete what is in use. */
export type ImageUsers = (imageId: string) => readonly { readonly id: string; readonly running: boolean }[];

export type DeleteResponseItem = { readonly Untagged: string } | { readonly Deleted: string };

interface Meta {
  readonly sizeBytes: number;
  readonly lastTagTime: string;
}

export class ImageStore {
  readonly #root: string;
  readonly #images = new Map<string, { config: ImageConfigDocument; meta: Meta }>();
  /** "busybox:latest" → "sha256:…" */
  #tags = new Map<string, string>();
  /** "198.51.100.1:5000/x@sha256:<manifest>" → "sha256:<image>" */
  #digests = new Map<string, string>();
  /** The layer tars by diff ID. */
  readonly layers: KeptLayers;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(root: string) {
    this.#root = root;
    this.layers = new KeptLayers(join(root, 'layers'));
  }

  /** Opens (creating) the store at `root`, dropping unfinished imports left by a crash. */
  static async open(root: string): Promise<ImageStore> {
    const store = new ImageStore(root);
    await mkdir(root, { recursive: true, mode: 0o700 });
    await rm(join(root, 'tmp'), { recursive: true, force: true });
    for (const entry of await readdir(root)) {
      if (!/^[0-9a-f]{64}$/.test(entry)) continue;
      try {
        const config = JSON.parse(await readFile(join(root, entry, 'config.json'), 'utf8')) as ImageConfigDocument;
        const meta = JSON.parse(await readFile(join(root, entry, 'meta.json'), 'utf8')) as Meta;
        store.#images.set(`sha256:${entry}`, { config, meta });
      } catch {
        await rm(join(root, entry), { recursive: true, force: true });
      }
    }
    store.#tags = await readTable(join(root, 'repositories.json'), store.#images);
    store.#digests = await readTable(join(root, 'digests.json'), store.#images);
    return store;
  }

  list(): ImageRecord[] {
    return [...this.#images.keys()].map((id) => this.#record(id));
  }

  /** By name[:tag], full ID or unique ID prefix; not-found with Docker's "No such image: busybox:latest". */
  resolve(ref: string): ImageRecord {
    const id = this.#find(ref);
    if (id === undefined) throw new ImageError('not-found', `No such image: ${displayRef(ref)}`);
    return this.#record(id);
  }

  /** `docker import`: one tar (any compression tar detects) becomes a single-layer image. */
  importTar(body: AsyncIterable<Uint8Array>, options: ImportOptions = {}): Promise<ImageRecord> {
    return this.#serialised(async () => {
      const tmp = await this.#tmpDir();
      try {
        const layer = join(tmp, 'layer.tar');
        const diffId = await saveWithDigest(body, layer);
        await createRootfs(join(tmp, 'rootfs'));
        await applyLayer(join(tmp, 'rootfs'), layer);
        const created = new Date().toISOString();
        const base: ImageRunConfig = { Env: [DEFAULT_PATH], Cmd: null, Entrypoint: null, WorkingDir: '', User: '', Labels: null };
        const config: ImageConfigDocument = {
          architecture: goArch(),
          comment: options.message ?? 'Imported from -',
          config: options.configure?.(base) ?? base,
          created,
          history: [{ created, comment: options.message ?? 'Imported from -' }],
          os: 'linux',
          rootfs: { type: 'layers', diff_ids: [diffId] },
        };
        await this.layers.keep(layer, diffId);
        const id = await this.#commit(tmp, Buffer.from(JSON.stringify(config)));
        if (options.reference !== undefined) await this.#tag(id, options.reference);
        return this.#record(id);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    });
  }

  /** `docker load`: a `docker save` archive (manifest.json, configs, layer tars); returns what it loaded. */
  load(body: AsyncIterable<Uint8Array>): Promise<ImageRecord[]> {
    return this.#serialised(async () => {
      const tmp = await this.#tmpDir();
      try {
        const archive = join(tmp, 'archive');
        await mkdir(archive);
        await saveWithDigest(body, join(tmp, 'archive.tar'));
        await runCommand(['tar', '-x', '-f', join(tmp, 'archive.tar'), '-C', archive], { timeoutMs: 120_000 });
        const manifest = parseManifest(await readFile(join(archive, 'manifest.json'), 'utf8').catch(() => ''));
        const loaded: string[] = [];
        for (const [i, entry] of manifest.entries()) {
          const dir = join(tmp, `image-${i}`);
          await createRootfs(join(dir, 'rootfs'));
          const configBytes = await readFile(insideArchive(archive, entry.Config));
          const diffIds = (JSON.parse(configBytes.toString('utf8')) as ImageConfigDocument).rootfs?.diff_ids ?? [];
          for (const [l, layer] of entry.Layers.entries()) {
            const path = insideArchive(archive, layer);
            await applyLayer(join(dir, 'rootfs'), path);
            // A compressed layer's digest is not its diff ID: such a layer is unpacked but not kept.
            const digest = await digestOf(path);
            if (digest === diffIds[l]) await this.layers.keep(path, digest);
          }
          const id = await this.#commit(dir, configBytes);
          for (const tag of entry.RepoTags ?? []) await this.#tag(id, tag);
          loaded.push(id);
        }
        return loaded.map((id) => this.#record(id));
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    });
  }

  /** `docker image rm`: untags, and deletes the image once no tag and no container holds it. */
  remove(ref: string, options: { force: boolean; users: ImageUsers }): Promise<DeleteResponseItem[]> {
    return this.#serialised(async () => {
      const id = this.#find(ref);
      if (id === undefined) throw new ImageError('not-found', `No such image: ${displayRef(ref)}`);
      const byTag = this.#tagOf(ref);
      const tags = [...this.#tags].filter(([, v]) => v === id).map(([t]) => t);
      const users = options.users(id);
      const short = id.slice(7, 19);
      const running = users.find((u) => u.running);
      if (byTag !== undefined && tags.length > 1) return [await this.#untag(byTag)];
      if (byTag === undefined && tags.length > 1 && !options.force) {
        throw new ImageError('conflict', `conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
      }
      if (users.length > 0 && !options.force) {
        const user = users[0]!.id.slice(0, 12);
        throw new ImageError(
          'conflict',
          byTag !== undefined
            ? `conflict: unable to remove repository reference "${ref}" (must force) - container ${user} is using its referenced image ${short}`
            : `conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${user}`,
        );
      }
      if (running !== undefined && byTag === undefined) {
        throw new ImageError('conflict', `conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${running.id.slice(0, 12)}`);
      }
      const items: DeleteResponseItem[] = [];
      for (const tag of tags) items.push(await this.#untag(tag));
      // A container's writable layer sits on this root filesystem: it stays until the last user is removed.
      if (users.length === 0) {
        this.#images.delete(id);
        await this.#dropDigests(id);
        await rm(join(this.#root, id.slice(7)), { recursive: true, force: true });
        await this.layers.prune([...this.#images.values()].flatMap((i) => i.config.rootfs?.diff_ids ?? []));
        items.push({ Deleted: id });
      }
      return items;
    });
  }

  /**
   * `docker image prune`: removes the images `select` picks that no container uses (untagged ones only
   * unless `all`). With `all`, an image a container uses loses every tag but its last, as dockerd's
   * prune, whose untagging is refused only for the last reference. Returns what was removed and the
   * bytes freed.
   */
  async prune(options: { all: boolean; select: (image: ImageRecord) => boolean; users: ImageUsers }): Promise<{ items: DeleteResponseItem[]; reclaimedBytes: number }> {
    const items: DeleteResponseItem[] = [];
    let reclaimedBytes = 0;
    for (const image of this.list().filter(options.select)) {
      if (!options.all && image.repoTags.length > 0) continue;
      if (options.users(image.id).length === 0) {
        items.push(...(await this.remove(image.id, { force: true, users: options.users })));
        reclaimedBytes += image.sizeBytes;
        continue;
      }
      if (!options.all) continue;
      for (const tag of image.repoTags.slice(0, -1)) items.push(...(await this.remove(tag, { force: false, users: options.users })));
    }
    return { items, reclaimedBytes };
  }

  /** `docker tag SOURCE TARGET`: TARGET ("name[:tag]") names the image SOURCE resolves to. */
  tag(source: string, target: string): Promise<void> {
    return this.#serialised(async () => {
      const id = this.#find(source);
      if (id === undefined) throw new ImageError('not-found', `No such image: ${displayRef(source)}`);
      await this.#tag(id, target);
    });
  }

  /**
   * `docker save NAME…`: writes the archive to a file and returns it; the caller streams it and calls
   * `dispose`. A name without a tag saves every tag of that repository, as dockerd does.
   */
  save(names: readonly string[]): Promise<{ readonly path: string; dispose(): Promise<void> }> {
    return this.#serialised(async () => {
      const images = this.#saveTargets(names);
      const tmp = await this.#tmpDir();
      try {
        const staging = join(tmp, 'archive');
        for (const file of saveArchiveFiles(images)) {
          const path = join(staging, file.path);
          await mkdir(join(path, '..'), { recursive: true });
          if ('content' in file) await writeFile(path, file.content);
          else if (file.source.kind === 'config') await symlink(join(this.#root, file.source.imageId.slice(7), 'config.json'), path);
          else await symlink(await this.layers.file(file.source.diffId), path);
        }
        const out = join(tmp, 'save.tar');
        const entries = (await readdir(staging)).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
        // -h copies the files the symlinks point at; numeric root ownership, as dockerd writes.
        await runCommand(['tar', '-c', '-h', '--hard-dereference', '--owner=0', '--group=0', '--numeric-owner', '-f', out, '-C', staging, ...entries], { timeoutMs: 300_000 });
        return { path: out, dispose: () => rm(tmp, { recursive: true, force: true }) };
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        throw err;
      }
    });
  }

  /** The images `save` names, each with the tags it was named by (null: by ID only). */
  #saveTargets(names: readonly string[]): SaveRequestImage[] {
    const tagsOf = new Map<string, string[] | null>();
    const add = (id: string, tag: string | undefined) => {
      const tags = tagsOf.get(id) ?? null;
      if (tag === undefined) tagsOf.set(id, tags);
      else tagsOf.set(id, tags?.includes(tag) ? tags : [...(tags ?? []), tag]);
    };
    for (const name of names) {
      const repo = repositoryOnly(name);
      const tags = repo === undefined ? [] : [...this.#tags].filter(([t]) => parseReference(t).name === repo);
      if (tags.length > 0) {
        for (const [tag, id] of tags) add(id, tag);
        continue;
      }
      const id = this.#find(name);
      if (id === undefined) throw new ImageError('not-found', `No such image: ${displayRef(name)}`);
      add(id, this.#tagOf(name));
    }
    return [...tagsOf].map(([id, repoTags]) => ({ id, config: this.#images.get(id)!.config, repoTags }));
  }

  /** The exact bytes of an image's config document (their sha256 is its ID), as a push uploads them. */
  configBytes(id: string): Promise<Buffer> {
    return readFile(join(this.#root, id.replace(/^sha256:/, ''), 'config.json'));
  }

  /** Records that `repoDigest` ("r/x@sha256:…") names image `id` (after a push). */
  addRepoDigest(repoDigest: string, id: string): Promise<void> {
    return this.#serialised(async () => {
      if (!this.#images.has(id)) return;
      this.#digests.set(repoDigest, id);
      await writeTable(join(this.#root, 'digests.json'), this.#digests);
    });
  }

  /** A fresh directory inside the store (same filesystem, removed at the next open if left behind). */
  stagingDir(): Promise<string> {
    return this.#tmpDir();
  }

  /**
   * Makes the image `configBytes` describes from its kept layers (a pull's last step): unpacks them in
   * order into a new root filesystem, then records the image, its tag and repository digest. The image
   * appears only complete: until the final rename everything is in the store's tmp.
   */
  commitLayers(
    configBytes: Buffer,
    names: { readonly tag?: string; readonly repoDigest: string },
    onLayer: (index: number, phase: 'extracting' | 'done') => void,
  ): Promise<ImageRecord> {
    return this.#serialised(async () => {
      const config = JSON.parse(configBytes.toString('utf8')) as ImageConfigDocument;
      const diffIds = config.rootfs?.diff_ids ?? [];
      let id = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
      if (!this.#images.has(id)) {
        const tmp = await this.#tmpDir();
        try {
          await createRootfs(join(tmp, 'rootfs'));
          for (const [i, diffId] of diffIds.entries()) {
            onLayer(i, 'extracting');
            await applyLayer(join(tmp, 'rootfs'), await this.layers.file(diffId));
            onLayer(i, 'done');
          }
          id = await this.#commit(tmp, configBytes);
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
      }
      if (names.tag !== undefined) await this.#tag(id, names.tag);
      this.#digests.set(names.repoDigest, id);
      await writeTable(join(this.#root, 'digests.json'), this.#digests);
      return this.#record(id);
    });
  }

  #record(id: string): ImageRecord {
    const image = this.#images.get(id);
    if (image === undefined) throw new ImageError('not-found', `No such image: ${id}`);
    return {
      id,
      repoTags: [...this.#tags].filter(([, v]) => v === id).map(([t]) => t),
      repoDigests: [...this.#digests].filter(([, v]) => v === id).map(([d]) => d),
      config: image.config,
      sizeBytes: image.meta.sizeBytes,
      rootfsDir: join(this.#root, id.slice(7), 'rootfs'),
      lastTagTime: image.meta.lastTagTime,
    };
  }

  #find(ref: string): string | undefined {
    if (ref.includes('@')) return this.#byDigest(ref);
    const tagged = this.#tagOf(ref);
    if (tagged !== undefined) return this.#tags.get(tagged);
    const m = ID_RE.exec(ref);
    if (m === null) return undefined;
    const matches = [...this.#images.keys()].filter((id) => id.slice(7).startsWith(m[1]!));
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** "x:1@sha256:…" or "x@sha256:…": the image pulled by that digest (the tag is only a label). */
  #byDigest(ref: string): string | undefined {
    const at = ref.indexOf('@');
    try {
      const name = parseReference(ref.slice(0, at)).name;
      return this.#digests.get(`${name}${ref.slice(at)}`);
    } catch {
      return undefined;
    }
  }

  /** The tag `ref` names, if it parses as a reference and is in the table. */
  #tagOf(ref: string): string | undefined {
    try {
      const tag = formatReference(parseReference(ref));
      return this.#tags.has(tag) ? tag : undefined;
    } catch {
      return undefined;
    }
  }

  async #commit(dir: string, configBytes: Buffer): Promise<string> {
    const hex = createHash('sha256').update(configBytes).digest('hex');
    const id = `sha256:${hex}`;
    if (this.#images.has(id)) return id;
    const config = JSON.parse(configBytes.toString('utf8')) as ImageConfigDocument;
    const sizeBytes = Number((await runCommand(['du', '-sb', join(dir, 'rootfs')])).split('\t')[0]) || 0;
    const meta: Meta = { sizeBytes, lastTagTime: new Date().toISOString() };
    await writeFile(join(dir, 'config.json'), configBytes);
    await writeFile(join(dir, 'meta.json'), JSON.stringify(meta));
    await rename(dir, join(this.#root, hex));
    this.#images.set(id, { config, meta });
    return id;
  }

  async #tag(id: string, ref: string): Promise<void> {
    this.#tags.set(formatReference(parseReference(ref)), id);
    await this.#saveTags();
  }

  async #untag(tag: string): Promise<DeleteResponseItem> {
    this.#tags.delete(tag);
    await this.#saveTags();
    return { Untagged: tag };
  }

  async #saveTags(): Promise<void> {
    await writeTable(join(this.#root, 'repositories.json'), this.#tags);
  }

  async #dropDigests(id: string): Promise<void> {
    for (const [d, v] of this.#digests) if (v === id) this.#digests.delete(d);
    await writeTable(join(this.#root, 'digests.json'), this.#digests);
  }

  async #tmpDir(): Promise<string> {
    const dir = join(this.#root, 'tmp', randomBytes(8).toString('hex'));
    await mkdir(dir, { recursive: true });
    return dir;
  }

  #serialised<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(job, job);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** A name → image ID table on disk, keeping only entries whose image exists. */
async function readTable(path: string, images: ReadonlyMap<string, unknown>): Promise<Map<string, string>> {
  try {
    const table = JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
    return new Map(Object.entries(table).filter(([, id]) => images.has(id)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return new Map();
  }
}

async function writeTable(path: string, table: ReadonlyMap<string, string>): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(Object.fromEntries(table)));
  await rename(`${path}.tmp`, path);
}

interface ManifestEntry {
  readonly Config: string;
  readonly RepoTags: readonly string[] | null;
  readonly Layers: readonly string[];
}

/** A `docker save` manifest.json; anything else is refused as Docker does. */
export function parseManifest(text: string): ManifestEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ImageError('invalid-argument', 'invalid tar header: no manifest.json in the archive');
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.every(
      (e: Partial<ManifestEntry>) =>
        typeof e?.Config === 'string' && Array.isArray(e.Layers) && e.Layers.every((l) => typeof l === 'string') &&
        (e.RepoTags == null || (Array.isArray(e.RepoTags) && e.RepoTags.every((t) => typeof t === 'string'))),
    );
  if (!ok) throw new ImageError('invalid-argument', 'invalid manifest.json in the archive');
  return parsed as ManifestEntry[];
}

function insideArchive(archive: string, name: string): string {
  const path = join(archive, name);
  if (!path.startsWith(archive + '/')) throw new ImageError('invalid-argument', `invalid path in the archive: ${name}`);
  return path;
}

/** Writes the stream to `path`; resolves with "sha256:<hex>" of what it wrote. */
async function saveWithDigest(body: AsyncIterable<Uint8Array>, path: string): Promise<string> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(body, tap, createWriteStream(path));
  return `sha256:${hash.digest('hex')}`;
}

/** Layer directories, then configs, then manifest.json and repositories: the order dockerd writes. */
function rank(entry: string): number {
  if (entry === 'manifest.json') return 2;
  if (entry === 'repositories') return 3;
  return entry.endsWith('.json') ? 1 : 0;
}

/** The repository a tagless name refers to ("busybox"); undefined for tagged names and "sha256:…" IDs. */
function repositoryOnly(name: string): string | undefined {
  try {
    const ref = parseReference(name);
    return name.slice(name.lastIndexOf('/') + 1).includes(':') ? undefined : ref.name;
  } catch {
    return undefined;
  }
}

async function digestOf(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

function displayRef(ref: string): string {
  if (ID_RE.test(ref)) return ref;
  try {
    return formatReference(parseReference(ref));
  } catch {
    return ref;
  }
}

function goArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}
