// The /etc/hosts, /etc/resolv.conf and /etc/hostname a container sees: written by the engine under
// the container's data directory and bind-mounted, as Docker does.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import type { ContainerPaths } from './layout.js';

export const defaultHosts = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
  '',
].join('\n');

/** The host's resolv.conf without loopback nameservers, which mean nothing inside another namespace. */
export function containerResolvConf(hostResolvConf: string): string {
  const lines = hostResolvConf.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1\s*$)/.test(l));
  return lines.join('\n').replace(/\n*$/, '\n');
}

export async function writeEtcFiles(
  paths: ContainerPaths,
  content: { hostname: string; hosts?: string | undefined; resolvConf?: string | undefined },
): Promise<void> {
  const resolv = content.resolvConf ?? containerResolvConf(await readFile('/etc/resolv.conf', 'utf8').catch(() => ''));
  await writeReadable(paths.hostsPath, content.hosts ?? defaultHosts);
  await writeReadable(paths.resolvConfPath, resolv);
  await writeReadable(paths.hostnamePath, `${content.hostname}\n`);
}

/** 0644 as Docker's, whatever the daemon's umask: every user in the container reads these. */
async function writeReadable(path: string, content: string): Promise<void> {
  await writeFile(path, content);
  await chmod(path, 0o644);
}
