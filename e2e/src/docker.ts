// Strict docker calls for e2e tests.
import { cliOk, dockerCli, waitFor, type HostLayout } from '@shoal/cli/cluster';

/** Runs the real docker CLI against `host`; returns stdout, or throws with the exit code and stderr. */
export function dockerOk(host: HostLayout, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  return cliOk(dockerCli, host, args, options);
}

/**
 * Drains `manager` so the test's tasks run on the workers. Retried on "update out of sequence": the
 * node object also changes whenever an agent's session (re)opens, which a busy machine makes frequent.
 */
export async function drainManager(manager: HostLayout): Promise<void> {
  await waitFor(`${manager.name} drained`, async () => {
    const r = await dockerCli(manager, ['node', 'update', '--availability', 'drain', manager.name]);
    if (r.code !== 0 && !r.stderr.includes('update out of sequence')) throw new Error(`node update: ${r.stderr.trim()}`);
    return r.code === 0 ? true : undefined;
  }, { timeoutMs: 15_000, intervalMs: 200 });
}
