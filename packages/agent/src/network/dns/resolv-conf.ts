// resolv.conf on both sides: the host's tells the forwarder where to send outside names; the
// sandbox's points everything at the embedded resolver.
import { isIP } from 'node:net';
import type { Upstream } from './forwarder.js';

export const EMBEDDED_DNS_ADDRESS = '127.0.0.11';
/** Docker's resolver uses at most three outside resolvers. */
const MAX_UPSTREAMS = 3;

/** Nameservers of a host resolv.conf that the forwarder can use (IPv4, never the embedded address). */
export function upstreamsFromResolvConf(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const [keyword, address] = line.trim().split(/\s+/);
    if (keyword !== 'nameserver' || address === undefined || isIP(address) !== 4) continue;
    if (address === EMBEDDED_DNS_ADDRESS) continue;
    out.push({ host: address, port: 53 });
  }
  return out.slice(0, MAX_UPSTREAMS);
}

/**
 * The resolv.conf a sandbox gets: the embedded resolver, the host's search domains, and ndots:0 (as
 * Docker writes), so single-label names such as service names are asked as they are.
 */
export function sandboxResolvConf(hostResolvConf = ''): string {
  const search = hostResolvConf.split('\n').map((l) => l.trim()).filter((l) => /^search\s/.test(l));
  return [`nameserver ${EMBEDDED_DNS_ADDRESS}`, ...search.slice(-1), 'options ndots:0', ''].join('\n');
}
