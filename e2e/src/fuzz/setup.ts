// The fuzz target: a cluster of two namespace hosts, the first a one-manager swarm, the second a spare
// daemon outside any swarm; and a join token that parses but never admits anyone.
import { cliOk, daemonPid, dockerCli, type Cluster, type Host } from '@shoal/cli/cluster';
import type { FuzzDaemon } from './runner.js';

export interface FuzzSetup {
  readonly manager: FuzzDaemon & { readonly host: Host };
  readonly spare: FuzzDaemon & { readonly host: Host };
}

export async function fuzzSetup(cluster: Cluster): Promise<FuzzSetup> {
  const [m1, spare] = cluster.hosts;
  if (m1 === undefined || spare === undefined) throw new Error('the fuzz target needs two hosts');
  await cliOk(dockerCli, m1, ['swarm', 'init', '--advertise-addr', m1.addr, '--dispatcher-heartbeat', '1s']);
  const token = (await cliOk(dockerCli, m1, ['swarm', 'join-token', '-q', 'worker'])).trim();
  // SWMTKN-1-<digest>-<secret>: keep the CA digest (so the joiner gets as far as admission), break the secret.
  const parts = token.split('-');
  const secret = parts.pop() ?? '';
  const wrongToken = [...parts, secret.split('').reverse().join('')].join('-');
  const managerAddr = `${m1.addr}:2377`;
  const daemon = (host: Host): FuzzDaemon & { host: Host } => {
    const pid = daemonPid(host);
    if (pid === undefined) throw new Error(`${host.name}: daemon not running`);
    return { host, socket: host.socket, pid, template: { addr: host.addr, managerAddr, wrongToken } };
  };
  return { manager: daemon(m1), spare: daemon(spare) };
}
