// A container's writable layer: the overlay's upper and work directories. The root of an overlay
// mount shows the upper directory's mode and owner, not the image's, so the upper directory is made
// the way containerd's overlay snapshotter makes it (Docker 28's image store): 0755, owned by whoever
// owns the image's root. Made with the daemon's umask, it would be 0700 and root's, and every
// non-root process would fail to start (it cannot enter `/`: exit 126).
import { chmod, chown, mkdir, stat } from 'node:fs/promises';

export interface WritableLayer {
  readonly upper: string;
  readonly work: string;
}

/** Creates the layer's directories over the image root filesystem `imageRootfs`. */
export async function createWritableLayer(layer: WritableLayer, imageRootfs: string): Promise<void> {
  const root = await stat(imageRootfs);
  await mkdir(layer.upper, { recursive: true, mode: 0o700 });
  await mkdir(layer.work, { recursive: true, mode: 0o700 });
  await chown(layer.upper, root.uid, root.gid);
  await chmod(layer.upper, 0o755);
}
