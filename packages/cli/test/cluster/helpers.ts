// Shared by the harness tests: unique names, the stand-in daemon, and a snapshot of the root namespace.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runOk } from '../../src/cluster/run.js';

/** A short random cluster name, so parallel test files never collide. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}${randomBytes(3).toString('hex')}`;
}

export const STANDIN_DAEMON: readonly string[] = [
  process.execPath,
  fileURLToPath(new URL('./standin-daemon.js', import.meta.url)),
];

export interface RootSnapshot {
  readonly routes: string;
  readonly routes6: string;
  readonly links: string[];
  readonly netns: string[];
  readonly nftTables: string[];
}

/** What the root namespace has, in a form that survives other tests' churn only where it must not change. */
export async function snapshotRoot(): Promise<RootSnapshot> {
  const linkNames = (await runOk(['ip', '-o', 'link', 'show']))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(':')[1]!.trim().split('@')[0]!);
  return {
    routes: await runOk(['ip', 'route', 'show', 'table', 'all']),
    routes6: await runOk(['ip', '-6', 'route', 'show', 'table', 'all']),
    links: linkNames.sort(),
    netns: (await runOk(['ip', 'netns', 'list'])).split('\n').filter((l) => l !== '').map((l) => l.split(' ')[0]!),
    nftTables: (await runOk(['nft', 'list', 'tables'])).split('\n').filter((l) => l !== '').sort(),
  };
}
