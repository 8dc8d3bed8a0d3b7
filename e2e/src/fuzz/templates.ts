// Valid request bodies for every endpoint that takes one, and the mutations that turn them hostile.
// Mutating a valid body (instead of generating noise) gets past the first checks and reaches the
// deep ones: one wrong field in an otherwise correct request.
import type { Prng } from './prng.js';
import { badAddresses, badCidrs, badListenAddrs, badNames, badPorts, wrongValue } from './values.js';

export interface TemplateContext {
  /** The address of the host the request goes to (valid listen/advertise address). */
  readonly addr: string;
  /** A manager's 2377 address for join attempts. */
  readonly managerAddr: string;
  /** A join token in the right format whose secret is wrong: admission is always refused. */
  readonly wrongToken: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function clusterSpecTemplate(): { [k: string]: Json } {
  return {
    Name: 'default',
    Labels: { team: 'fuzz' },
    Orchestration: { TaskHistoryRetentionLimit: 5 },
    Raft: { SnapshotInterval: 10_000, KeepOldSnapshots: 0, LogEntriesForSlowFollowers: 500, ElectionTick: 10, HeartbeatTick: 1 },
    Dispatcher: { HeartbeatPeriod: 5_000_000_000 },
    CAConfig: { NodeCertExpiry: 7_776_000_000_000_000, ExternalCAs: [] },
    TaskDefaults: {},
    EncryptionConfig: { AutoLockManagers: false },
  };
}

export function initTemplate(ctx: TemplateContext): { [k: string]: Json } {
  return {
    ListenAddr: '0.0.0.0:2377',
    AdvertiseAddr: ctx.addr,
    DataPathAddr: '',
    DataPathPort: 0,
    DefaultAddrPool: ['10.20.0.0/16'],
    SubnetSize: 24,
    ForceNewCluster: false,
    Availability: 'active',
    Spec: clusterSpecTemplate(),
  };
}

export function joinTemplate(ctx: TemplateContext): { [k: string]: Json } {
  return {
    ListenAddr: '0.0.0.0:2377',
    AdvertiseAddr: ctx.addr,
    DataPathAddr: '',
    RemoteAddrs: [ctx.managerAddr],
    JoinToken: ctx.wrongToken,
    Availability: 'active',
  };
}

export function nodeSpecTemplate(rng: Prng): { [k: string]: Json } {
  return { Name: `n-${rng.string(6)}`, Labels: { [`k${rng.int(5)}`]: rng.string(4) }, Role: 'manager', Availability: rng.pick(['active', 'pause', 'drain', 'active']) };
}

export function networkTemplate(rng: Prng): { [k: string]: Json } {
  const third = rng.int(250);
  return {
    Name: `fz-${rng.string(8, 'abcdefghijklmnopqrstuvwxyz0123456789')}`,
    CheckDuplicate: true,
    Driver: 'overlay',
    Scope: 'swarm',
    EnableIPv6: false,
    IPAM: {
      Driver: 'default',
      Config: rng.chance(0.5) ? [{ Subnet: `10.${100 + rng.int(100)}.${third}.0/24`, Gateway: `10.${100 + rng.int(100)}.${third}.1` }] : [],
      Options: {},
    },
    Internal: rng.chance(0.2),
    Attachable: rng.chance(0.5),
    Ingress: false,
    Options: rng.chance(0.3) ? { 'com.docker.network.driver.mtu': String(1000 + rng.int(500)) } : {},
    Labels: { fuzz: 'yes' },
  };
}

/** Field-specific bad values, chosen by the field's name. */
function hostileFor(key: string, rng: Prng): Json | undefined {
  if (/^Name$/.test(key)) return rng.pick(badNames);
  if (/Subnet|IPRange|DefaultAddrPool/.test(key)) return rng.pick(badCidrs);
  if (/Gateway|AdvertiseAddr|DataPathAddr/.test(key)) return rng.pick([...badAddresses, ...badListenAddrs]);
  if (/ListenAddr|RemoteAddrs/.test(key)) return rng.pick(badListenAddrs);
  if (/Port$/.test(key)) return rng.pick(badPorts) as Json;
  if (/SubnetSize/.test(key)) return rng.pick([-1, 0, 1, 7, 30, 32, 33, 1.5]);
  if (/Tick|Period|Expiry|Limit|Interval|Snapshots|Followers/.test(key)) return rng.pick([-1, 0, 1, 1.5, 2 ** 53, -(2 ** 53), 1e308]);
  if (/Role|Availability|Driver|Scope/.test(key)) return rng.pick(['', 'MANAGER', 'leader', 'bridge', 'macvlan', 'local', 'x'.repeat(300)]);
  if (/Token/.test(key)) return rng.pick(['', 'SWMTKN-1-', 'SWMTKN-2-abc-def', 'SWMTKN-1-' + 'z'.repeat(50) + '-' + 'y'.repeat(25), 'x'.repeat(5_000)]);
  if (/Labels|Options/.test(key)) {
    return rng.pick<Json>([{ '': '' }, { 'com.docker.swarm.internal': 'true' }, { k: 5 } as Json, { k: null }, { k: { nested: 'x' } }, { 'com.docker.network.driver.mtu': rng.pick(['0', '67', '65536', 'abc', '-1', '1e3']) }, { 'com.docker.network.driver.overlay.vxlanid_list': rng.pick(['0', '1', '4095', '16777216', '4096,4097', 'abc', '99999999999']) }]);
  }
  return undefined;
}

const MARK = '\u0001FUZZ\u0001';

/** Paths (lists of keys/indices) to every value in `v`, the root included. */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function setAt(root: Json, path: (string | number)[], value: Json | typeof DELETE): Json {
  if (path.length === 0) return value === DELETE ? {} : value;
  const parent = path.slice(0, -1).reduce<Json>((node, k) => (node as Record<string | number, Json>)[k] as Json, root) as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (value === DELETE) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = value;
  return root;
}
const DELETE = Symbol('delete');

/** One to three mutations of a valid body, as JSON text (raw substitutions allow values too deep to build). */
export function mutate(template: { [k: string]: Json }, rng: Prng): { text: string; what: string[] } {
  let body: Json = structuredClone(template);
  const raws: string[] = [];
  const what: string[] = [];
  const count = 1 + rng.int(3);
  for (let i = 0; i < count; i++) {
    const all = paths(body).filter((p) => !p.some((k) => typeof k === 'string' && k.includes(MARK)));
    const path = rng.pick(all);
    const key = String([...path].reverse().find((k) => typeof k === 'string') ?? '');
    const where = path.join('.') || '(root)';
    const roll = rng.int(10);
    if (roll < 3) {
      raws.push(wrongValue(rng).json);
      body = setAt(body, path, `${MARK}${raws.length - 1}`);
      what.push(`${where}=wrong-type`);
    } else if (roll < 6) {
      const hostile = hostileFor(key, rng);
      if (hostile === undefined) continue;
      body = setAt(body, path, hostile);
      what.push(`${where}=hostile`);
    } else if (roll < 8 && path.length > 0) {
      body = setAt(body, path, DELETE);
      what.push(`${where} removed`);
    } else {
      const target = path.length === 0 || (body !== null && typeof body === 'object') ? path : [];
      const holder = target.reduce<Json>((node, k) => (node as Record<string | number, Json>)[k] as Json, body);
      if (holder === null || typeof holder !== 'object' || Array.isArray(holder)) continue;
      raws.push(wrongValue(rng).json);
      // defineProperty: a plain assignment to "__proto__" would set the prototype, not add a key.
      const name = rng.pick(['Unknown', 'extra', '__proto__', 'constructor', rng.string(5)]);
      Object.defineProperty(holder, name, { value: `${MARK}${raws.length - 1}`, enumerable: true, writable: true, configurable: true });
      what.push(`${where}+unknown`);
    }
  }
  let text = JSON.stringify(body);
  raws.forEach((raw, i) => (text = text.replace(JSON.stringify(`${MARK}${i}`), () => raw)));
  return { text, what };
}
