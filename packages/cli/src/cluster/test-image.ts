// The busybox test image: Debian's busybox-static with the applets tests use, as a root filesystem
// tarball (for `docker import`) or as a `docker save` archive (for `docker load`). Built with tar.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BUSYBOX_BINARY = '/bin/busybox';

const APPLETS = [
  'sh', 'ash', 'ping', 'nslookup', 'wget', 'httpd', 'sleep', 'cat', 'echo', 'ls', 'hostname', 'ip', 'ifconfig', 'env',
  'true', 'false', 'id', 'ps', 'kill', 'nc', 'mkdir', 'rm', 'touch', 'grep', 'sed', 'wc', 'head', 'tail', 'date',
  'uname', 'printf', 'test', 'expr', 'tr', 'top', 'route', 'arp', 'traceroute', 'seq', 'stat',
];

/** Every directory of the image with its mode; "." is the root, listed in the tar as "./". */
const DIRECTORIES: readonly (readonly [string, number])[] = [
  ['.', 0o755], ['bin', 0o755], ['etc', 0o755], ['root', 0o700], ['proc', 0o755], ['sys', 0o755], ['dev', 0o755],
  ['var', 0o755], ['var/www', 0o755], ['usr', 0o755], ['usr/bin', 0o755], ['tmp', 0o1777],
];

const ETC_FILES: Readonly<Record<string, string>> = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
  group: 'root:x:0:\nnogroup:x:65534:\n',
};

/** Writes a root filesystem tarball (bin/busybox and applet links) to `path`. */
export function writeBusyboxRootfsTar(path: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-busybox-'));
  try {
    const root = join(dir, 'rootfs');
    // Modes as busybox's real image has them, set explicitly: the builder's umask must not decide them.
    for (const [d, mode] of DIRECTORIES) {
      mkdirSync(join(root, d), { recursive: true });
      chmodSync(join(root, d), mode);
    }
    copyFileSync(BUSYBOX_BINARY, join(root, 'bin/busybox'));
    chmodSync(join(root, 'bin/busybox'), 0o755);
    for (const applet of APPLETS) symlinkSync('busybox', join(root, 'bin', applet));
    for (const [file, content] of Object.entries(ETC_FILES)) {
      writeFileSync(join(root, 'etc', file), content);
      chmodSync(join(root, 'etc', file), 0o644);
    }
    execFileSync('tar', ['-c', '--numeric-owner', '--owner=0', '--group=0', '-f', path, '-C', root, '.']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes a `docker save` archive of the busybox image tagged `repoTag` to `path`. */
export function writeBusyboxSaveTar(path: string, repoTag = 'busybox:latest'): void {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-busybox-save-'));
  try {
    const layer = join(dir, 'layer.tar');
    writeBusyboxRootfsTar(layer);
    const diffId = createHash('sha256').update(readFileSync(layer)).digest('hex');
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2026-01-01T00:00:00Z',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
      history: [{ created: '2026-01-01T00:00:00Z', created_by: 'shoal e2e test image' }],
    });
    const configHex = createHash('sha256').update(config).digest('hex');
    const archive = join(dir, 'archive');
    mkdirSync(join(archive, diffId), { recursive: true });
    execFileSync('mv', [layer, join(archive, diffId, 'layer.tar')]);
    writeFileSync(join(archive, `${configHex}.json`), config);
    writeFileSync(join(archive, 'manifest.json'), JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [repoTag], Layers: [`${diffId}/layer.tar`] }]));
    execFileSync('tar', ['-c', '-f', path, '-C', archive, '.']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Loads the busybox image into a host's daemon (POST /images/load, as `docker load` does). */
export async function loadTestImage(socketPath: string, archivePath: string): Promise<void> {
  const body = readFileSync(archivePath);
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(
      { socketPath, method: 'POST', path: '/v1.41/images/load?quiet=1', headers: { 'Content-Type': 'application/x-tar', 'Content-Length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error('image load timed out after 60 s')));
    req.on('error', reject);
    req.end(body);
  });
  if (status !== 200) throw new Error(`loading the test image into ${socketPath} failed with HTTP ${status}`);
}
