// What `swarm init` writes first into the new cluster's store: the cluster object (spec, address
// pool, tokens, root CA), this node as its first manager, and the `ingress` network.
import {
  ControlError,
  defaultAddrPool,
  defaultClusterSpec,
  defaultDataPathPort,
  defaultSubnetSize,
  generateJoinToken,
  addressPools,
  ingressNetworkDraft,
  mergeClusterSpec,
  newId,
  tlsInfo,
  validateClusterSpec,
  type ClusterSpec,
  type NodeAvailability,
  type RootCa,
} from '@shoal/manager';
import { isIPv4 } from 'node:net';
import type { HostFacts } from '../api/system-info.js';

/** Body of POST /swarm/init, as the docker CLI sends it. */
export interface InitRequest {
  readonly ListenAddr?: string;
  readonly AdvertiseAddr?: string;
  readonly DataPathAddr?: string;
  readonly DataPathPort?: number;
  readonly ForceNewCluster?: boolean;
  readonly Spec?: Partial<Record<keyof ClusterSpec, unknown>>;
  readonly Availability?: NodeAvailability | '';
  readonly DefaultAddrPool?: readonly string[] | null;
  readonly SubnetSize?: number;
}

export function nodeDescription(host: HostFacts, rootCaPem: string): Record<string, unknown> & { Hostname: string } {
  return {
    Hostname: host.hostname,
    Platform: { Architecture: host.architecture, OS: 'linux' },
    Resources: { NanoCPUs: host.ncpu * 1_000_000_000, MemoryBytes: host.memTotalBytes },
    Engine: {
      EngineVersion: host.engineVersion,
      Plugins: [
        { Type: 'Log', Name: 'json-file' },
        { Type: 'Network', Name: 'bridge' },
        { Type: 'Network', Name: 'host' },
        { Type: 'Network', Name: 'null' },
        { Type: 'Network', Name: 'overlay' },
      ],
    },
    TLSInfo: tlsInfo(rootCaPem),
  };
}

/** The Raft timing the new cluster's first manager starts with (validated with the rest of the spec). */
export function initialRaftTicks(req: InitRequest): { election: number; heartbeat: number } {
  const { ElectionTick, HeartbeatTick } = mergeClusterSpec(defaultClusterSpec, req.Spec).Raft;
  return { election: ElectionTick, heartbeat: HeartbeatTick };
}

export function initialClusterActions(
  req: InitRequest,
  ctx: { clusterId: string; nodeId: string; ca: RootCa; managerAddr: string; nodeAddr: string; description: Record<string, unknown> & { Hostname: string } },
) {
  const spec = mergeClusterSpec(defaultClusterSpec, req.Spec);
  validateClusterSpec(spec);
  const pool = validatePool(req.DefaultAddrPool, req.SubnetSize);
  const dataPathPort = validateDataPathPort(req.DataPathPort);
  const availability = validateAvailability(req.Availability);
  return [
    {
      op: 'create' as const,
      table: 'cluster' as const,
      object: {
        ID: ctx.clusterId,
        Spec: spec,
        DefaultAddrPool: pool.pools,
        SubnetSize: pool.size,
        DataPathPort: dataPathPort,
        JoinTokens: { Worker: generateJoinToken(ctx.ca.certPem), Manager: generateJoinToken(ctx.ca.certPem) },
        RootCA: { CertPem: ctx.ca.certPem, KeyPem: ctx.ca.keyPem },
      },
    },
    {
      op: 'create' as const,
      table: 'node' as const,
      object: {
        ID: ctx.nodeId,
        Spec: { Labels: {}, Role: 'manager' as const, Availability: availability },
        Description: ctx.description,
        Status: { State: 'ready' as const, Addr: ctx.nodeAddr },
        ManagerStatus: { Addr: ctx.managerAddr },
      },
    },
    { op: 'create' as const, table: 'network' as const, object: ingressNetworkDraft(newId(), addressPools(pool.pools, pool.size)) },
  ];
}

function validateAvailability(value: string | undefined): NodeAvailability {
  if (value === undefined || value === '') return 'active';
  if (value === 'active' || value === 'pause' || value === 'drain') return value;
  throw new ControlError('invalid-argument', `invalid availability "${value}": must be active, pause or drain`);
}

function validateDataPathPort(port: number | undefined): number {
  if (port === undefined || port === 0) return defaultDataPathPort;
  if (!Number.isInteger(port) || port < 1024 || port > 49151) {
    throw new ControlError('invalid-argument', `data path port ${port} is out of the range 1024-49151`);
  }
  return port;
}

function validatePool(pools: readonly string[] | null | undefined, size: number | undefined): { pools: string[]; size: number } {
  const list = pools && pools.length > 0 ? [...pools] : [...defaultAddrPool];
  const subnetSize = size === undefined || size === 0 ? defaultSubnetSize : size;
  for (const cidr of list) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
    if (!m || !isIPv4(m[1]!) || Number(m[2]) > 32) throw new ControlError('invalid-argument', `invalid default address pool ${cidr}`);
    if (subnetSize < Number(m[2])) {
      throw new ControlError('invalid-argument', `invalid default address pool mask length ${subnetSize}: smaller than the pool ${cidr}`);
    }
  }
  if (!Number.isInteger(subnetSize) || subnetSize < 1 || subnetSize > 29) {
    throw new ControlError('invalid-argument', `invalid subnet size ${subnetSize}: must be between 1 and 29`);
  }
  return { pools: list, size: subnetSize };
}
