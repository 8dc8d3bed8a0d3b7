// The iperf3 image of the data-plane benchmark: the busybox test rootfs plus this machine's iperf3
// and every shared library `ldd` says it loads (Debian's iperf3 is dynamically linked), as a
// `docker save` archive that both shoal and dockerd load with POST /images/load.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeBusyboxRootfsTar } from '../../packages/cli/dist/src/cluster/index.js';

export const IPERF3 = '/usr/bin/iperf3';

/** Absolute paths of the libraries `binary` loads, the dynamic loader included. */
function sharedLibraries(binary) {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
  return [...out.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1]);
}

/** Copies `path` (symlinks followed) to the same path under `root`. */
function copyInto(root, path, mode) {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(path, target);
  chmodSync(target, mode);
}

/** Writes a `docker save` archive of an image with busybox and iperf3, tagged `repoTag`, to `path`. */
export function writeIperfImage(path, repoTag = 'shoal-bench-iperf3:latest') {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-iperf3-'));
  try {
    const root = join(dir, 'rootfs');
    mkdirSync(root);
    writeBusyboxRootfsTar(join(dir, 'busybox.tar'));
    execFileSync('tar', ['-x', '-f', join(dir, 'busybox.tar'), '-C', root]);
    copyInto(root, IPERF3, 0o755);
    for (const lib of sharedLibraries(IPERF3)) copyInto(root, lib, 0o755);
    const layer = join(dir, 'layer.tar');
    execFileSync('tar', ['-c', '--numeric-owner', '--owner=0', '--group=0', '-f', layer, '-C', root, '.']);
    const diffId = createHash('sha256').update(readFileSync(layer)).digest('hex');
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2026-01-01T00:00:00Z',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['iperf3', '-s'] },
      rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
      history: [{ created: '2026-01-01T00:00:00Z', created_by: 'shoal bench/dataplane iperf3 image' }],
    });
    const configHex = createHash('sha256').update(config).digest('hex');
    const archive = join(dir, 'archive');
    mkdirSync(join(archive, diffId), { recursive: true });
    renameSync(layer, join(archive, diffId, 'layer.tar'));
    writeFileSync(join(archive, `${configHex}.json`), config);
    writeFileSync(join(archive, 'manifest.json'), JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [repoTag], Layers: [`${diffId}/layer.tar`] }]));
    execFileSync('tar', ['-c', '-f', path, '-C', archive, '.']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
