// Reading a container's own files from the host, through its layers (the writable layer over the
// image's root filesystem), whether or not its root filesystem is mounted: what the user database
// says is decided before runc starts, as dockerd reads it before it creates the task.
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UserFiles } from './users.js';

/** Upper first; each a host directory holding a root filesystem's tree. */
export interface Layers {
  readonly upper: string;
  readonly lower: string;
}

/**
 * The text of `/etc/<name>` as the container sees it, or undefined when it has none. Only a regular
 * file in a real /etc directory is read: a symbolic link would be resolved against the host's root,
 * not the container's. A whiteout (character device) in the upper layer hides the image's file.
 */
export async function readEtcFile(layers: Layers, name: string): Promise<string | undefined> {
  for (const layer of [layers.upper, layers.lower]) {
    const dir = await lstat(join(layer, 'etc')).catch(() => undefined);
    if (dir === undefined) continue;
    if (!dir.isDirectory()) return undefined;
    const file = await lstat(join(layer, 'etc', name)).catch(() => undefined);
    if (file === undefined) continue;
    return file.isFile() ? readFile(join(layer, 'etc', name), 'utf8') : undefined;
  }
  return undefined;
}

export async function readUserFiles(layers: Layers): Promise<UserFiles> {
  const [passwd, group] = await Promise.all([readEtcFile(layers, 'passwd'), readEtcFile(layers, 'group')]);
  return { passwd, group };
}
