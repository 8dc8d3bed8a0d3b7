// Shape checks for what the API shows after a fuzz run: every stored network, node and the cluster
// must be fully valid. A problem here means some request got a half-valid object into the store.
import { isIPv4 } from 'node:net';

const NAME_RE = /^[a-zA-Z0-9](?:[a-zA-Z0-9_.-]*[a-zA-Z0-9])?$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringMap(v: unknown, where: string, out: string[]): void {
  if (v === null || v === undefined) return;
  if (!isObj(v)) return void out.push(`${where} is ${JSON.stringify(v)?.slice(0, 60)}, not a map of strings`);
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') out.push(`${where}[${JSON.stringify(k)}] is ${JSON.stringify(x)?.slice(0, 60)}, not a string`);
}

function onlyKeys(v: Obj, allowed: readonly string[], where: string, out: string[]): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k)) out.push(`${where} has an unknown field ${JSON.stringify(k)}`);
}

function cidr(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(v);
  return m !== null && isIPv4(m[1]!) && Number(m[2]) <= 32;
}

export function networkProblems(n: unknown): string[] {
  const out: string[] = [];
  if (!isObj(n)) return ['network is not an object'];
  const where = `network ${String(n['Id'])}`;
  const name = n['Name'];
  // swarmkit's rule for swarm networks; dockerd takes any non-blank name for a local one.
  const validName = n['Scope'] === 'swarm' ? typeof name === 'string' && name.length <= 63 && NAME_RE.test(name) : typeof name === 'string' && name.trim() !== '' && !/[\ud800-\udfff]/.test(name.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));
  if (!validName) out.push(`${where}: Name ${JSON.stringify(name)?.slice(0, 80)} is not a valid name`);
  if (typeof n['Id'] !== 'string' || n['Id'] === '') out.push(`${where}: Id missing`);
  stringMap(n['Labels'], `${where}: Labels`, out);
  stringMap(n['Options'], `${where}: Options`, out);
  for (const b of ['Internal', 'Attachable', 'Ingress']) if (typeof n[b] !== 'boolean') out.push(`${where}: ${b} is ${JSON.stringify(n[b])}`);
  if (n['Scope'] === 'swarm') {
    if (n['Driver'] !== 'overlay') out.push(`${where}: Driver ${JSON.stringify(n['Driver'])}`);
    const ipam = n['IPAM'];
    if (!isObj(ipam)) out.push(`${where}: IPAM is not an object`);
    else {
      stringMap(ipam['Options'], `${where}: IPAM.Options`, out);
      const config = ipam['Config'];
      if (!Array.isArray(config)) out.push(`${where}: IPAM.Config is not a list`);
      else
        config.forEach((c: unknown, i) => {
          if (!isObj(c)) return void out.push(`${where}: IPAM.Config[${i}] is not an object`);
          if (!cidr(c['Subnet'])) out.push(`${where}: IPAM.Config[${i}].Subnet ${JSON.stringify(c['Subnet'])}`);
          if (c['Gateway'] !== undefined && !(typeof c['Gateway'] === 'string' && isIPv4(c['Gateway']))) out.push(`${where}: IPAM.Config[${i}].Gateway ${JSON.stringify(c['Gateway'])}`);
          if (c['IPRange'] !== undefined && !cidr(c['IPRange'])) out.push(`${where}: IPAM.Config[${i}].IPRange ${JSON.stringify(c['IPRange'])}`);
          stringMap(c['AuxiliaryAddresses'], `${where}: IPAM.Config[${i}].AuxiliaryAddresses`, out);
        });
    }
  }
  return out;
}

export function nodeProblems(n: unknown): string[] {
  const out: string[] = [];
  if (!isObj(n)) return ['node is not an object'];
  const where = `node ${String(n['ID'])}`;
  const spec = n['Spec'];
  if (!isObj(spec)) return [`${where}: Spec is not an object`];
  onlyKeys(spec, ['Name', 'Labels', 'Role', 'Availability'], `${where}: Spec`, out);
  if (spec['Name'] !== undefined && typeof spec['Name'] !== 'string') out.push(`${where}: Spec.Name ${JSON.stringify(spec['Name'])?.slice(0, 60)}`);
  stringMap(spec['Labels'], `${where}: Spec.Labels`, out);
  if (!['manager', 'worker'].includes(spec['Role'] as string)) out.push(`${where}: Spec.Role ${JSON.stringify(spec['Role'])}`);
  if (!['active', 'pause', 'drain'].includes(spec['Availability'] as string)) out.push(`${where}: Spec.Availability ${JSON.stringify(spec['Availability'])}`);
  return out;
}

const CLUSTER_SPEC_SHAPE: Readonly<Record<string, readonly string[]>> = {
  Orchestration: ['TaskHistoryRetentionLimit'],
  Raft: ['SnapshotInterval', 'KeepOldSnapshots', 'LogEntriesForSlowFollowers', 'ElectionTick', 'HeartbeatTick'],
  Dispatcher: ['HeartbeatPeriod'],
  CAConfig: ['NodeCertExpiry', 'ExternalCAs', 'SigningCACert', 'SigningCAKey', 'ForceRotate'],
  TaskDefaults: ['LogDriver'],
  EncryptionConfig: ['AutoLockManagers'],
};

export function swarmProblems(s: unknown): string[] {
  const out: string[] = [];
  if (!isObj(s) || !isObj(s['Spec'])) return ['swarm has no Spec object'];
  const spec = s['Spec'];
  onlyKeys(spec, ['Name', 'Labels', ...Object.keys(CLUSTER_SPEC_SHAPE)], 'swarm Spec', out);
  if (typeof spec['Name'] !== 'string') out.push(`swarm Spec.Name ${JSON.stringify(spec['Name'])}`);
  stringMap(spec['Labels'], 'swarm Spec.Labels', out);
  for (const [section, fields] of Object.entries(CLUSTER_SPEC_SHAPE)) {
    const v = spec[section];
    if (!isObj(v)) {
      out.push(`swarm Spec.${section} is ${JSON.stringify(v)?.slice(0, 60)}`);
      continue;
    }
    onlyKeys(v, fields, `swarm Spec.${section}`, out);
  }
  const int = (v: unknown, min: number): boolean => Number.isSafeInteger(v) && (v as number) >= min;
  const raft = spec['Raft'] as Obj | undefined;
  if (isObj(raft)) {
    if (!int(raft['HeartbeatTick'], 1)) out.push(`swarm Raft.HeartbeatTick ${JSON.stringify(raft['HeartbeatTick'])}`);
    if (!int(raft['ElectionTick'], 2)) out.push(`swarm Raft.ElectionTick ${JSON.stringify(raft['ElectionTick'])}`);
    for (const f of ['SnapshotInterval', 'KeepOldSnapshots', 'LogEntriesForSlowFollowers']) if (raft[f] !== undefined && !int(raft[f], 0)) out.push(`swarm Raft.${f} ${JSON.stringify(raft[f])}`);
  }
  const orch = spec['Orchestration'] as Obj | undefined;
  if (isObj(orch) && !int(orch['TaskHistoryRetentionLimit'], 0)) out.push(`swarm Orchestration.TaskHistoryRetentionLimit ${JSON.stringify(orch['TaskHistoryRetentionLimit'])}`);
  const disp = spec['Dispatcher'] as Obj | undefined;
  if (isObj(disp) && !int(disp['HeartbeatPeriod'], 1_000_000_000)) out.push(`swarm Dispatcher.HeartbeatPeriod ${JSON.stringify(disp['HeartbeatPeriod'])}`);
  const ca = spec['CAConfig'] as Obj | undefined;
  if (isObj(ca) && !int(ca['NodeCertExpiry'], 3600 * 1_000_000_000)) out.push(`swarm CAConfig.NodeCertExpiry ${JSON.stringify(ca['NodeCertExpiry'])}`);
  const enc = spec['EncryptionConfig'] as Obj | undefined;
  if (isObj(enc) && typeof enc['AutoLockManagers'] !== 'boolean') out.push(`swarm EncryptionConfig.AutoLockManagers ${JSON.stringify(enc['AutoLockManagers'])}`);
  return out;
}
