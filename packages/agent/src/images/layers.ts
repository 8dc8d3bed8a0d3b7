// Unpacking image layers (tar files) into a flattened root filesystem, honouring the OCI whiteouts that
// let a later layer delete what an earlier one added.
import { chmod, mkdir, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import { runCommand } from '../runtime/command.js';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** What a layer removes from the layers below it, as paths relative to the root filesystem. */
export interface LayerWhiteouts {
  /** Paths to delete (from `.wh.NAME` entries). */
  readonly deleted: readonly string[];
  /** Directories whose lower content is hidden (from `.wh..wh..opq` entries). */
  readonly opaqueDirs: readonly string[];
  /** The marker entries themselves, which must not stay in the filesystem. */
  readonly markers: readonly string[];
}

/** Reads whiteouts from a layer's entry names (as `tar -t` lists them). Pure. */
export function layerWhiteouts(entries: readonly string[]): LayerWhiteouts {
  const deleted: string[] = [];
  const opaqueDirs: string[] = [];
  const markers: string[] = [];
  for (const raw of entries) {
    const entry = normaliseEntry(raw);
    if (entry === undefined) continue;
    const base = posix.basename(entry);
    if (!base.startsWith(WHITEOUT)) continue;
    const dir = posix.dirname(entry);
    markers.push(entry);
    if (base === OPAQUE) opaqueDirs.push(dir === '.' ? '' : dir);
    else deleted.push(dir === '.' ? base.slice(WHITEOUT.length) : `${dir}/${base.slice(WHITEOUT.length)}`);
  }
  return { deleted, opaqueDirs, markers };
}

/** "./bin/sh" → "bin/sh"; undefined for the root itself or for names that would escape the root. */
export function normaliseEntry(raw: string): string | undefined {
  const n = posix.normalize(raw.replace(/\/+$/, ''));
  if (n === '.' || n === '/' || n === '') return undefined;
  const rel = n.replace(/^\/+/, '').replace(/^\.\//, '');
  if (rel === '..' || rel.startsWith('../')) return undefined;
  return rel;
}

/**
 * Makes the empty directory the layers are applied to. Its mode is what a container's `/` shows
 * unless a layer lists "./" itself: 0755, as Docker's layer directories are, never the daemon's
 * umask (with 0700, `--user 1000` cannot even enter `/`).
 */
export async function createRootfs(rootfs: string): Promise<void> {
  await mkdir(rootfs, { recursive: true });
  await chmod(rootfs, 0o755);
}

/** Extracts `layerTar` over `rootfs` (which holds the layers below it), applying its whiteouts. */
export async function applyLayer(rootfs: string, layerTar: string): Promise<void> {
  const entries = (await runCommand(['tar', '-t', '-f', layerTar], { timeoutMs: 120_000 })).split('\n').filter((e) => e !== '');
  const { deleted, opaqueDirs, markers } = layerWhiteouts(entries);
  // Lower content goes before extraction, so the layer's own files in an opaque directory survive.
  for (const dir of opaqueDirs) await emptyDir(posix.join(rootfs, dir));
  for (const path of deleted) await rm(posix.join(rootfs, path), { recursive: true, force: true });
  await runCommand(['tar', '-x', '--numeric-owner', '-p', '-f', layerTar, '-C', rootfs], { timeoutMs: 120_000 });
  for (const marker of markers) await rm(posix.join(rootfs, marker), { force: true });
}

async function emptyDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
