// The end-of-run checks of a fault run, against the healed cluster: the history against what the
// cluster holds, the allocator's invariants, and service convergence. Each returns its violations as
// sentences; an empty list means the check holds.
import { waitFor, type Host } from '@shoal/cli/cluster';
import { getJson } from './engine.js';
import { describeState, sameState, type History, type KeyState } from './history.js';
import { RUN_LABEL } from './workload.js';

interface NetworkJson {
  Name: string;
  Id: string;
  Driver: string;
  Scope: string;
  Labels?: Record<string, string> | null;
  IPAM?: { Config?: { Subnet?: string }[] | null };
  Options?: Record<string, string> | null;
}

interface ServiceJson {
  ID: string;
  Spec: { Name: string; Labels?: Record<string, string> | null; Mode: { Replicated?: { Replicas?: number } } };
  Endpoint?: { VirtualIPs?: { NetworkID: string; Addr: string }[] | null };
}

interface TaskJson {
  ID: string;
  ServiceID: string;
  DesiredState: string;
  NodeID?: string;
  Status: { State: string; Err?: string };
  NetworksAttachments?: { Network: { ID: string }; Addresses?: string[] | null }[] | null;
}

const filter = (f: Record<string, string[]>) => `filters=${encodeURIComponent(JSON.stringify(f))}`;

export async function readRunObjects(via: Host): Promise<Map<string, KeyState>> {
  const found = new Map<string, KeyState>();
  const nets = await getJson<NetworkJson[]>(via.socket, `/networks?${filter({ label: [RUN_LABEL] })}`);
  for (const n of nets) found.set(n.Name, { present: true, labels: n.Labels ?? {} });
  const svcs = await getJson<ServiceJson[]>(via.socket, `/services?${filter({ label: [RUN_LABEL] })}`);
  for (const s of svcs) found.set(s.Spec.Name, { present: true, labels: s.Spec.Labels ?? {}, replicas: s.Spec.Mode.Replicated?.Replicas ?? -1 });
  return found;
}

export interface HistoryFindings {
  /** Keys where an acknowledged operation's effect is missing. */
  readonly lost: string[];
  /** Other states no history allows (a refused operation applied, an object nobody created). */
  readonly other: string[];
}

/** Every key ends in a state its history allows; nothing exists that no operation created. */
export function checkHistory(history: History, found: ReadonlyMap<string, KeyState>): HistoryFindings {
  const lost: string[] = [];
  const other: string[] = [];
  const known = new Set<string>();
  for (const { key, kind, states } of history.allowed()) {
    known.add(key);
    const actual = found.get(key) ?? { present: false };
    if (!states.some((s) => sameState(s, actual))) {
      const ops = history.ops.filter((o) => o.key === key).map((o) => `#${o.id} ${o.action} via ${o.via} ${o.outcome}${o.detail ? ` (${o.detail})` : ''} [${o.invokeMs}-${o.endMs} ms]`);
      const acked = history.ops.some((o) => o.key === key && o.outcome === 'ok');
      (acked ? lost : other).push(`${kind} ${key}: is ${describeState(actual)}, history allows ${states.map(describeState).join(' or ')}; ops: ${ops.join('; ')}`);
    }
  }
  for (const key of found.keys()) if (!known.has(key)) other.push(`${key} exists but no client ever created it`);
  return { lost, other };
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function cidrRange(cidr: string): [number, number] {
  const [ip = '', len = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(len));
  const start = ipv4ToInt(ip) - (ipv4ToInt(ip) % size);
  return [start, start + size - 1];
}

/** No two swarm networks share a VNI or overlap in subnet; no address on a network has two holders. */
export async function checkAllocator(via: Host): Promise<string[]> {
  const problems: string[] = [];
  const nets = (await getJson<NetworkJson[]>(via.socket, '/networks')).filter((n) => n.Scope === 'swarm');
  const byVni = new Map<string, string>();
  const ranges: { name: string; cidr: string; range: [number, number] }[] = [];
  for (const n of nets) {
    const vni = n.Options?.['com.docker.network.driver.overlay.vxlanid_list'];
    if (vni !== undefined) {
      const holder = byVni.get(vni);
      if (holder !== undefined) problems.push(`VNI ${vni} held by both ${holder} and ${n.Name}`);
      byVni.set(vni, n.Name);
    }
    for (const c of n.IPAM?.Config ?? []) {
      if (c.Subnet === undefined || c.Subnet.includes(':')) continue;
      const range = cidrRange(c.Subnet);
      for (const other of ranges) {
        if (range[0] <= other.range[1] && other.range[0] <= range[1]) problems.push(`subnet ${c.Subnet} of ${n.Name} overlaps ${other.cidr} of ${other.name}`);
      }
      ranges.push({ name: n.Name, cidr: c.Subnet, range });
    }
  }
  const holders = new Map<string, string>(); // "<network>|<ip>" → holder
  const hold = (network: string, addr: string, who: string): void => {
    const key = `${network}|${addr.split('/')[0]}`;
    const prev = holders.get(key);
    if (prev !== undefined && prev !== who) problems.push(`address ${addr} on network ${network} held by both ${prev} and ${who}`);
    holders.set(key, who);
  };
  for (const s of await getJson<ServiceJson[]>(via.socket, '/services')) {
    for (const vip of s.Endpoint?.VirtualIPs ?? []) hold(vip.NetworkID, vip.Addr, `VIP of service ${s.Spec.Name}`);
  }
  for (const t of await getJson<TaskJson[]>(via.socket, '/tasks')) {
    if (t.DesiredState !== 'running') continue;
    for (const a of t.NetworksAttachments ?? []) for (const addr of a.Addresses ?? []) hold(a.Network.ID, addr, `task ${t.ID}`);
  }
  return problems;
}

/** Waits until every service runs exactly its desired replicas; returns what still differs on timeout. */
export async function checkConvergence(via: Host, timeoutMs: number): Promise<string[]> {
  const differences = async (): Promise<string[]> => {
    const svcs = await getJson<ServiceJson[]>(via.socket, '/services');
    const tasks = await getJson<TaskJson[]>(via.socket, '/tasks');
    return svcs.flatMap((s) => {
      const want = s.Spec.Mode.Replicated?.Replicas ?? 0;
      const mine = tasks.filter((t) => t.ServiceID === s.ID && t.DesiredState === 'running');
      const running = mine.filter((t) => t.Status.State === 'running').length;
      if (running === want && mine.length === want) return [];
      const states = mine.map((t) => `${t.ID.slice(0, 6)}@${t.NodeID?.slice(0, 6) ?? '-'} ${t.Status.State}${t.Status.Err ? ` (${t.Status.Err})` : ''}`);
      return [`service ${s.Spec.Name}: ${running} running of ${mine.length} desired-running tasks, wants ${want}: ${states.join(', ')}`];
    });
  };
  let last: string[] = [];
  try {
    await waitFor('every service to run its replicas', async () => {
      last = await differences();
      return last.length === 0 ? true : undefined;
    }, { timeoutMs, intervalMs: 500 });
    return [];
  } catch {
    return last.length > 0 ? last : ['could not read services and tasks'];
  }
}
