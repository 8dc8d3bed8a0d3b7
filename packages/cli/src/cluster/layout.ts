// The pure part of a cluster: names, addresses and paths derived from a name, counts and a subnet.
// Everything a teardown needs can be recomputed from the name alone, so a lost state file loses nothing.
import { ClusterError } from './errors.js';

export type HostRole = 'manager' | 'worker';

export interface HostLayout {
  /** NAME-manager-1 …: the daemon's --hostname and the name users type. */
  readonly name: string;
  readonly role: HostRole;
  readonly netns: string;
  /** Underlay address, without prefix length. */
  readonly addr: string;
  readonly prefixLength: number;
  /** The host's end of its veth pair as seen in the switch namespace. */
  readonly switchPort: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly socket: string;
  readonly logFile: string;
  readonly pidFile: string;
}

export interface ClusterLayout {
  readonly name: string;
  readonly subnet: string;
  /** Holds the bridge that joins the hosts; see bridge.ts for why it is not the root namespace. */
  readonly switchNetns: string;
  /** Per-cluster directory for the state file, logs, pidfiles, sockets and exec roots. */
  readonly stateDir: string;
  /** Per-cluster directory holding every host's data root. */
  readonly dataDir: string;
  readonly hosts: readonly HostLayout[];
}

export interface LayoutOptions {
  readonly name: string;
  readonly managers: number;
  readonly workers: number;
  readonly subnet: string;
  readonly stateRoot: string;
  readonly dataRoot: string;
}

/** Every namespace of ours starts with this, so leftovers are recognisable in `ip netns list`. */
const NETNS_PREFIX = 'shoal-';
const NAME_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const NAME_MAX = 24; // keeps socket paths well under the 108-byte limit of sun_path

export function validateName(name: string): void {
  if (!NAME_RE.test(name) || name.length > NAME_MAX) {
    throw new ClusterError(
      'INVALID_OPTIONS',
      `invalid cluster name "${name}": use at most ${NAME_MAX} lowercase letters, digits and single hyphens, starting with a letter`,
    );
  }
}

export function switchNetnsName(cluster: string): string {
  return `${NETNS_PREFIX}${cluster}-switch`;
}

export function hostNetnsName(hostName: string): string {
  return `${NETNS_PREFIX}${hostName}`;
}

/** True exactly for the namespace names cluster `cluster` makes: another cluster whose name extends this one never matches. */
export function isClusterNetns(cluster: string, netns: string): boolean {
  if (netns === switchNetnsName(cluster)) return true;
  const rest = netns.startsWith(`${NETNS_PREFIX}${cluster}-`) ? netns.slice(NETNS_PREFIX.length + cluster.length + 1) : '';
  return /^(manager|worker)-[1-9][0-9]*$/.test(rest);
}

export function clusterStateDir(stateRoot: string, name: string): string {
  return `${stateRoot}/${name}`;
}

export function planCluster(options: LayoutOptions): ClusterLayout {
  validateName(options.name);
  for (const [what, n] of [['managers', options.managers], ['workers', options.workers]] as const) {
    if (!Number.isInteger(n) || n < 0) throw new ClusterError('INVALID_OPTIONS', `--${what} must be a whole number ≥ 0, got ${n}`);
  }
  if (options.managers + options.workers === 0) throw new ClusterError('INVALID_OPTIONS', 'a cluster needs at least one host');
  const subnet = parseSubnet(options.subnet);
  const count = options.managers + options.workers;
  if (count > subnet.size - 2) {
    throw new ClusterError('INVALID_OPTIONS', `subnet ${options.subnet} has room for ${subnet.size - 2} hosts, not ${count}`);
  }
  const stateDir = clusterStateDir(options.stateRoot, options.name);
  const dataDir = `${options.dataRoot}/${options.name}`;
  const roles: HostRole[] = [
    ...Array<HostRole>(options.managers).fill('manager'),
    ...Array<HostRole>(options.workers).fill('worker'),
  ];
  const hosts = roles.map((role, i): HostLayout => {
    const ordinal = role === 'manager' ? i + 1 : i - options.managers + 1;
    const name = `${options.name}-${role}-${ordinal}`;
    const dir = `${stateDir}/${role[0]}${ordinal}`; // short: the socket path must fit in sun_path
    return {
      name,
      role,
      netns: hostNetnsName(name),
      addr: formatIPv4(subnet.network + i + 1),
      prefixLength: subnet.prefixLength,
      switchPort: `${role[0]}${ordinal}`,
      dataRoot: `${dataDir}/${name}`,
      execRoot: `${dir}/exec`,
      socket: `${dir}/shoal.sock`,
      logFile: `${dir}/shoald.log`,
      pidFile: `${dir}/shoald.pid`,
    };
  });
  return { name: options.name, subnet: options.subnet, switchNetns: switchNetnsName(options.name), stateDir, dataDir, hosts };
}

interface Subnet {
  readonly network: number;
  readonly prefixLength: number;
  readonly size: number;
}

export function parseSubnet(cidr: string): Subnet {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  const octets = match?.slice(1, 5).map(Number) ?? [];
  const prefixLength = Number(match?.[5]);
  if (!match || octets.some((o) => o > 255) || prefixLength < 8 || prefixLength > 30) {
    throw new ClusterError('INVALID_OPTIONS', `invalid subnet "${cidr}": want an IPv4 CIDR with a prefix length of 8 to 30`);
  }
  const addr = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefixLength);
  if (addr % size !== 0) {
    throw new ClusterError('INVALID_OPTIONS', `invalid subnet "${cidr}": host bits are set (did you mean ${formatIPv4(addr - (addr % size))}/${prefixLength}?)`);
  }
  return { network: addr, prefixLength, size };
}

function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}
