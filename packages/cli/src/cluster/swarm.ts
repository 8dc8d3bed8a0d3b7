// Forming a swarm on a cluster of namespace hosts through a CLI, as a user would: `shoal cluster up`
// drives it with shoal itself, the e2e tests with the real docker CLI.
import { fileURLToPath } from 'node:url';
import type { Cluster } from './cluster.js';
import { docker } from './hosts.js';
import type { HostLayout } from './layout.js';
import { run, type RunResult } from './run.js';
import { waitFor } from './wait.js';

/** Runs one CLI command against a host's daemon. */
export type CliRunner = (host: HostLayout, args: readonly string[], options?: { timeoutMs?: number }) => Promise<RunResult>;

const SHOAL_BIN = fileURLToPath(new URL('../../../../../bin/shoal', import.meta.url));

/** Our own CLI against a host's daemon. */
export const shoalCli: CliRunner = (host, args, options = {}) =>
  run([process.execPath, SHOAL_BIN, '-H', `unix://${host.socket}`, ...args], { timeoutMs: options.timeoutMs ?? 30_000 });

/** The real docker CLI against a host's daemon. */
export const dockerCli: CliRunner = (host, args, options = {}) => docker(host, args, options);

/** Runs a CLI command; returns stdout or throws with the exit code and stderr. */
export async function cliOk(cli: CliRunner, host: HostLayout, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  const result = await cli(host, args, options);
  if (result.code !== 0) throw new Error(`${args.join(' ')} on ${host.name} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

export interface NodeRow {
  readonly id: string;
  readonly self: boolean;
  readonly hostname: string;
  readonly status: string;
  readonly availability: string;
  readonly managerStatus: string;
}

/** `docker node ls` through --format, so the test reads fields rather than column offsets. */
export async function nodeLs(host: HostLayout, cli: CliRunner = dockerCli): Promise<NodeRow[]> {
  const out = await cliOk(cli, host, ['node', 'ls', '--format', '{{.ID}}|{{.Self}}|{{.Hostname}}|{{.Status}}|{{.Availability}}|{{.ManagerStatus}}']);
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
export async function formSwarm(cluster: Cluster, options: { heartbeat?: string; cli?: CliRunner } = {}): Promise<void> {
  const cli = options.cli ?? dockerCli;
  const [first, ...rest] = cluster.hosts;
  if (!first) throw new Error('empty cluster');
  await cliOk(cli, first, ['swarm', 'init', '--advertise-addr', first.addr, '--dispatcher-heartbeat', options.heartbeat ?? '5s']);
  const tokens = {
    manager: (await cliOk(cli, first, ['swarm', 'join-token', '-q', 'manager'])).trim(),
    worker: (await cliOk(cli, first, ['swarm', 'join-token', '-q', 'worker'])).trim(),
  };
  for (const host of rest) {
    await cliOk(cli, host, ['swarm', 'join', '--token', tokens[host.role], '--advertise-addr', host.addr, `${first.addr}:2377`], { timeoutMs: 30_000 });
  }
  await waitForNodes(first, cluster.hosts.length, (rows) => rows.every((r) => r.status === 'Ready'), 'every node Ready', 20_000, cli);
}

export async function waitForNodes(
  host: HostLayout,
  count: number,
  predicate: (rows: NodeRow[]) => boolean,
  what: string,
  timeoutMs = 20_000,
  cli: CliRunner = dockerCli,
): Promise<NodeRow[]> {
  return waitFor(
    `${what} (node ls on ${host.name})`,
    async () => {
      const rows = await nodeLs(host, cli);
      return rows.length === count && predicate(rows) ? rows : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
}
