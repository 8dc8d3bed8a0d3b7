// The layer tars an image store keeps, by diff ID (<dir>/<hex>.tar): what `docker save` and
// `docker push` send and what a pull need not download again. A tar enters only by hard link from the
// store's tmp (same filesystem) once its content was checked against its diff ID. Layers a pull has
// kept for an image it has not committed yet are pinned, so pruning spares them.
import { access, link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageError } from './types.js';

export class KeptLayers {
  readonly #dir: string;
  /** diff ID → how many unfinished pulls hold it. */
  readonly #pins = new Map<string, number>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Whether the layer is kept: a pull need not download it again. */
  has(diffId: string): Promise<boolean> {
    return access(this.#path(diffId)).then(
      () => true,
      () => false,
    );
  }

  /** The kept tar of a layer; an error naming why when the layer is not kept (loaded compressed). */
  async file(diffId: string): Promise<string> {
    const path = this.#path(diffId);
    await access(path).catch((err: unknown) => {
      throw new ImageError('internal', `layer ${diffId} of this image is not kept on this node (it was loaded compressed or by an older shoal): load the image again to save it`, { cause: err });
    });
    return path;
  }

  /** Bytes of each kept layer tar (0 for layers not kept). */
  async sizes(diffIds: readonly string[]): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    for (const d of diffIds) sizes.set(d, (await stat(this.#path(d)).catch(() => undefined))?.size ?? 0);
    return sizes;
  }

  /** Hard-links `file`, whose content the caller checked against `diffId`, as the layer's kept tar. */
  async keep(file: string, diffId: string): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    await link(file, this.#path(diffId)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }

  /** Keeps a layer a pull verified, pinned until the pull `unpin`s it. */
  async keepPinned(file: string, diffId: string): Promise<void> {
    await this.keep(file, diffId);
    this.pin(diffId);
  }

  /** Pins a kept layer for one more pull (one that waited for another's download of it). */
  pin(diffId: string): void {
    this.#pins.set(diffId, (this.#pins.get(diffId) ?? 0) + 1);
  }

  unpin(diffIds: readonly string[]): void {
    for (const d of diffIds) {
      const n = (this.#pins.get(d) ?? 0) - 1;
      if (n <= 0) this.#pins.delete(d);
      else this.#pins.set(d, n);
    }
  }

  /** Deletes the tars of layers neither `named` (by a stored image) nor pinned. */
  async prune(named: Iterable<string>): Promise<void> {
    const used = new Set([...named, ...this.#pins.keys()].map((d) => d.replace(/^sha256:/, '')));
    const files = await readdir(this.#dir).catch(() => [] as string[]);
    for (const file of files) if (!used.has(file.replace(/\.tar$/, ''))) await rm(join(this.#dir, file), { force: true });
  }

  #path(diffId: string): string {
    return join(this.#dir, `${diffId.replace(/^sha256:/, '')}.tar`);
  }
}
