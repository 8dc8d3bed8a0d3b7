// Choosing the addresses a node listens on and advertises, as `docker swarm init/join` does.
import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { ControlError } from '@shoal/manager';

export const DEFAULT_LISTEN_PORT = 2377;

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** "0.0.0.0:2377", "eth0:2377", "10.0.0.1", "eth0" → host and port (default port 2377). */
export function parseListenAddr(value: string, defaultPort = DEFAULT_LISTEN_PORT): HostPort {
  const v = value.trim();
  if (v === '') return { host: '0.0.0.0', port: defaultPort };
  const m = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d+))?$/.exec(v);
  if (!m) throw new ControlError('invalid-argument', `invalid listen address ${value}`);
  const host = m[1] ?? m[2] ?? '';
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ControlError('invalid-argument', `invalid port in address ${value}`);
  return { host: host === '' ? '0.0.0.0' : resolveInterface(host), port };
}

function resolveInterface(host: string): string {
  if (isIP(host)) return host;
  const addrs = networkInterfaces()[host];
  const v4 = addrs?.find((a) => a.family === 'IPv4');
  if (!v4) {
    throw new ControlError('invalid-argument', `interface ${host} has no usable IPv4 address`);
  }
  return v4.address;
}

/** The IP to advertise: the one given, else the listen IP if specific, else the host's only address. */
export function chooseAdvertiseAddr(advertise: string, listen: HostPort): HostPort {
  if (advertise.trim() !== '') return parseListenAddr(advertise, listen.port);
  if (listen.host !== '0.0.0.0' && listen.host !== '::') return listen;
  const candidates = Object.entries(networkInterfaces()).flatMap(([name, addrs]) =>
    (addrs ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => ({ name, address: a.address })),
  );
  const only = candidates[0];
  if (candidates.length === 1 && only) return { host: only.address, port: listen.port };
  if (candidates.length === 0) {
    throw new ControlError('invalid-argument', 'could not find the system\'s IP address - specify one with --advertise-addr');
  }
  // Like dockerd, name the first two addresses found, and the interface once when they share it.
  const [a, b] = candidates as [{ name: string; address: string }, { name: string; address: string }];
  const where = a.name === b.name ? `on interface ${a.name} (${a.address} and ${b.address})` : `on different interfaces (${a.address} on ${a.name} and ${b.address} on ${b.name})`;
  throw new ControlError(
    'invalid-argument',
    `could not choose an IP address to advertise since this system has multiple addresses ${where} - specify one with --advertise-addr`,
  );
}

export const BAD_DATA_PATH_ADDR = 'data path address must be a non-zero IP address or network interface (without a port number)';

/**
 * `--data-path-addr`: an interface's IPv4 address or a non-zero IPv4 address, without a port (dockerd's
 * resolveDataPathAddr); '' when not given, which means the advertise address.
 */
export function resolveDataPathAddr(value: string | undefined): string {
  const v = (value ?? '').trim();
  if (v === '') return '';
  if (isIP(v) === 0) {
    const addrs = networkInterfaces()[v];
    if (addrs === undefined) throw new ControlError('invalid-argument', BAD_DATA_PATH_ADDR);
    return resolveInterface(v);
  }
  if (isIP(v) === 6) throw new ControlError('invalid-argument', `data path address ${v}: overlays here run over IPv4 only`);
  if (v === '0.0.0.0') throw new ControlError('invalid-argument', BAD_DATA_PATH_ADDR);
  return v;
}

export function formatHostPort(hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}
