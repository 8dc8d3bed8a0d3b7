// Strict docker calls for e2e tests.
import { cliOk, dockerCli, type HostLayout } from '@shoal/cli/cluster';

/** Runs the real docker CLI against `host`; returns stdout, or throws with the exit code and stderr. */
export function dockerOk(host: HostLayout, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  return cliOk(dockerCli, host, args, options);
}
