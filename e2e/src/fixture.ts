// withCluster: a fresh, uniquely named multi-host cluster for one node:test test, torn down after it
// whatever happens, with the daemons' logs dumped when the test failed.
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { createCluster, destroyCluster, logTail, startDaemons, type Cluster, type CreateClusterOptions } from '@shoal/cli/cluster';

export interface WithClusterOptions {
  /** Default 1. */
  readonly managers?: number;
  /** Default 0. */
  readonly workers?: number;
  /** Start every host's daemon and wait for its socket. Default true. */
  readonly startDaemons?: boolean;
  /** Bound on the wait for each socket. Default 15 000 ms. */
  readonly socketTimeoutMs?: number;
  /** Default: this checkout's bin/shoald. */
  readonly daemonCommand?: CreateClusterOptions['daemonCommand'];
  /** Lines of each daemon's log printed when the test fails. Default 60. */
  readonly logLinesOnFailure?: number;
}

/** A cluster name no parallel test file will pick: "e" and six random hex digits. */
export function uniqueClusterName(prefix = 'e'): string {
  return `${prefix}${randomBytes(3).toString('hex')}`;
}

export async function withCluster(t: TestContext, options: WithClusterOptions = {}): Promise<Cluster> {
  const name = uniqueClusterName();
  let cluster: Cluster | undefined;
  // Registered before anything exists, so that a failure anywhere below still tears down what was made.
  t.after(async () => {
    // `passed` exists at runtime since Node 20.12 but is missing from @types/node 20.
    if (cluster !== undefined && (t as TestContext & { passed?: boolean }).passed !== true) {
      dumpLogs(cluster, options.logLinesOnFailure ?? 60);
    }
    await destroyCluster(name, { graceMs: 3_000 });
  });
  cluster = await createCluster({
    name,
    managers: options.managers ?? 1,
    workers: options.workers ?? 0,
    ...(options.daemonCommand !== undefined ? { daemonCommand: options.daemonCommand } : {}),
  });
  if (options.startDaemons ?? true) await startDaemons(cluster, { socketTimeoutMs: options.socketTimeoutMs ?? 15_000 });
  return cluster;
}

function dumpLogs(cluster: Cluster, lines: number): void {
  for (const host of cluster.hosts) {
    process.stderr.write(`\n===== ${host.name} (${host.addr}) ${host.logFile}, last ${lines} lines =====\n${logTail(host, lines)}\n`);
  }
}
