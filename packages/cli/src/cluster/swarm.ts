// Forming a swarm on a harness cluster with the real docker CLI, as a user would.
import type { Cluster, HostLayout } from '@shoal/cli/cluster';
import { dockerOk, waitFor } from './wait.js';

export interface NodeRow {
  readonly id: string;
  readonly self: boolean;
  readonly hostname: string;
  readonly status: string;
  readonly availability: string;
  readonly managerStatus: string;
}

/** `docker node ls` through --format, so the test reads fields rather than column offsets. */
export async function nodeLs(host: HostLayout): Promise<NodeRow[]> {
  const out = await dockerOk(host, ['node', 'ls', '--format', '{{.ID}}|{{.Self}}|{{.Hostname}}|{{.Status}}|{{.Availability}}|{{.ManagerStatus}}']);
  return out
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [id, self, hostname, status, availability, managerStatus] = line.split('|') as [string, string, string, string, string, string];
      return { id, self: self === 'true', hostname, status, availability, managerStatus };
    });
}

/**
 * `swarm init` on the first manager (with a short dispatcher heartbeat so tests see Down quickly),
 * then every other host joins with the token for its role; waits until all are Ready.
 */
export async function formSwarm(cluster: Cluster, options: { heartbeat?: string } = {}): Promise<void> {
  const [first, ...rest] = cluster.hosts;
  if (!first) throw new Error('empty cluster');
  await dockerOk(first, ['swarm', 'init', '--advertise-addr', first.addr, '--dispatcher-heartbeat', options.heartbeat ?? '1s']);
  const tokens = {
    manager: (await dockerOk(first, ['swarm', 'join-token', '-q', 'manager'])).trim(),
    worker: (await dockerOk(first, ['swarm', 'join-token', '-q', 'worker'])).trim(),
  };
  for (const host of rest) {
    await dockerOk(host, ['swarm', 'join', '--token', tokens[host.role], '--advertise-addr', host.addr, `${first.addr}:2377`], { timeoutMs: 30_000 });
  }
  await waitForNodes(first, cluster.hosts.length, (rows) => rows.every((r) => r.status === 'Ready'), 'every node Ready');
}

export async function waitForNodes(
  host: HostLayout,
  count: number,
  predicate: (rows: NodeRow[]) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<NodeRow[]> {
  return waitFor(
    `${what} (node ls on ${host.name})`,
    async () => {
      const rows = await nodeLs(host);
      return rows.length === count && predicate(rows) ? rows : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
}
