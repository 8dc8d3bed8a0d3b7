// Making 127.0.0.11:53 inside a sandbox reach the agent's DNS server, which cannot listen inside the
// sandbox (a Node thread cannot enter a netns). In the sandbox: route_localnet=1 lets packets
// addressed to 127.0.0.11 be routed off the loopback device once DNATed; the nat output hook rewrites
// the destination to the listener on the node's gateway-bridge address; masquerade swaps the
// 127.0.0.1 source for the sandbox's gateway-bridge address (the server's way to tell sandboxes
// apart); conntrack reverses both for the reply, so the asker sees an answer from 127.0.0.11.
import { assertIPv4, assertPort } from '../lb/addresses.js';
import { nftApply, nftDeleteTable, setSysctl, type Netns } from '../lb/netns.js';
import { EMBEDDED_DNS_ADDRESS, sandboxResolvConf } from './resolv-conf.js';

export const DNS_TABLE = 'shoal_dns';

export interface SandboxDns {
  /** Content for the sandbox's /etc/resolv.conf (the runtime mounts it). */
  readonly resolvConf: string;
}

export function renderSandboxDns(listenerAddress: string, listenerPort = 53): string {
  assertIPv4(listenerAddress, 'DNS listener address');
  assertPort(listenerPort, 'DNS listener port');
  const to = `${listenerAddress}:${listenerPort}`;
  return [
    `add table ip ${DNS_TABLE}`,
    `delete table ip ${DNS_TABLE}`,
    `table ip ${DNS_TABLE} {`,
    `  chain output {`,
    `    type nat hook output priority -100; policy accept;`,
    `    ip daddr ${EMBEDDED_DNS_ADDRESS} udp dport 53 dnat to ${to}`,
    `    ip daddr ${EMBEDDED_DNS_ADDRESS} tcp dport 53 dnat to ${to}`,
    `  }`,
    `  chain postrouting {`,
    `    type nat hook postrouting priority 100; policy accept;`,
    `    ip saddr 127.0.0.0/8 ip daddr ${listenerAddress} meta l4proto { tcp, udp } th dport ${listenerPort} masquerade`,
    `  }`,
    `}`,
    '',
  ].join('\n');
}

/**
 * Points the sandbox's 127.0.0.11:53 (UDP and TCP) at the DNS listener and returns the resolv.conf to
 * mount. Idempotent; the sandbox needs a route to `listenerAddress` (its gateway-bridge leg).
 */
export async function programSandboxDns(
  sandbox: Netns,
  listenerAddress: string,
  options: { listenerPort?: number; hostResolvConf?: string } = {},
): Promise<SandboxDns> {
  const script = renderSandboxDns(listenerAddress, options.listenerPort);
  await setSysctl(sandbox, 'net.ipv4.conf.all.route_localnet', '1');
  await nftApply(sandbox, script);
  return { resolvConf: sandboxResolvConf(options.hostResolvConf) };
}

export async function removeSandboxDns(sandbox: Netns): Promise<void> {
  await nftDeleteTable(sandbox, 'ip', DNS_TABLE);
}
