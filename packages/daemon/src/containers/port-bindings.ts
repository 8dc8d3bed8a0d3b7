// `docker run -p`: HostConfig.PortBindings ({"80/tcp": [{HostIp, HostPort}]}) as the list of ports a
// container publishes, and back as the Engine API shows them (inspect's PortBindings and
// NetworkSettings.Ports, ps's Ports). `-p 80` (no host port) gets a free port of the ephemeral range,
// chosen at create and kept for the container's life (dockerd chooses at each start, and its
// HostConfig.PortBindings keeps the empty host port). `-p 127.0.0.1:8080:80` publishes on that one
// address of the node. What shoal cannot honour is refused, never silently widened: an IPv6 host
// address and host port ranges.
import { isIPv4 } from 'node:net';
import type { PortMapping, PublishProtocol } from '@shoal/agent';
import { InternalError, InvalidArgumentError, NotImplementedError } from '../api/errors.js';

const PROTOCOLS: readonly PublishProtocol[] = ['tcp', 'udp', 'sctp'];
const ANY_ADDRESS = new Set(['', '0.0.0.0', '::']);

function port(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new InvalidArgumentError(`invalid ${what}: ${JSON.stringify(text)}`);
  return n;
}

/** Linux's default ip_local_port_range, where dockerd's port allocator takes random host ports. */
const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_LAST = 60999;

/** How a host port is known to be taken on this node: `${protocol}/${port}`. */
export function hostPortKey(protocol: PublishProtocol, port: number): string {
  return `${protocol}/${port}`;
}

/** The ports to publish; [] when there are none. A random host port is the lowest of the range not in `taken`. */
export function parsePortBindings(value: unknown, taken: ReadonlySet<string> = new Set()): PortMapping[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidArgumentError('invalid HostConfig.PortBindings: expected a map');
  const out: PortMapping[] = [];
  for (const [key, bindings] of Object.entries(value as Record<string, unknown>)) {
    const [target = '', proto = 'tcp'] = key.split('/');
    if (!(PROTOCOLS as readonly string[]).includes(proto)) throw new InvalidArgumentError(`invalid proto: ${proto}`);
    const targetPort = port(target, 'container port');
    if (bindings === null) continue;
    if (!Array.isArray(bindings)) throw new InvalidArgumentError(`invalid HostConfig.PortBindings[${key}]: expected a list`);
    for (const b of bindings as { HostIp?: unknown; HostPort?: unknown }[]) {
      const hostIp = typeof b?.HostIp === 'string' ? b.HostIp : '';
      const hostPort = typeof b?.HostPort === 'string' ? b.HostPort : '';
      if (!ANY_ADDRESS.has(hostIp) && !isIPv4(hostIp)) {
        if (hostIp.includes(':')) throw new NotImplementedError(`publishing on an IPv6 address (${hostIp}) is not supported: give an IPv4 address of the node, or none`);
        throw new InvalidArgumentError(`invalid IP address: ${hostIp}`);
      }
      if (hostPort.includes('-')) throw new NotImplementedError(`publishing ${key} on a range of host ports is not supported: give one host port, or none for a random one`);
      const protocol = proto as PublishProtocol;
      const publishedPort = hostPort === '' ? freePort(protocol, taken, out) : port(hostPort, 'host port');
      out.push({ protocol, publishedPort, targetPort, ...(ANY_ADDRESS.has(hostIp) ? {} : { hostIp }) });
    }
  }
  return out;
}

function freePort(protocol: PublishProtocol, taken: ReadonlySet<string>, chosen: readonly PortMapping[]): number {
  for (let p = EPHEMERAL_FIRST; p <= EPHEMERAL_LAST; p++) {
    if (!taken.has(hostPortKey(protocol, p)) && !chosen.some((c) => c.protocol === protocol && c.publishedPort === p)) return p;
  }
  throw new InternalError('all ports are allocated');
}

/** HostConfig.PortBindings as Docker shows it back. */
export function portBindingsView(ports: readonly PortMapping[]): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of ports) (out[`${p.targetPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp ?? '', HostPort: String(p.publishedPort) });
  return out;
}

/** NetworkSettings.Ports of a running container that publishes `ports`. */
export function publishedPortsView(ports: readonly PortMapping[]): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of ports) (out[`${p.targetPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp ?? '0.0.0.0', HostPort: String(p.publishedPort) });
  return out;
}

/** `docker ps`'s Ports entries. */
export function portSummaries(ports: readonly PortMapping[]): { IP: string; PrivatePort: number; PublicPort: number; Type: string }[] {
  return ports.map((p) => ({ IP: p.hostIp ?? '0.0.0.0', PrivatePort: p.targetPort, PublicPort: p.publishedPort, Type: p.protocol }));
}
