// The cluster object: what `swarm init` creates, `GET /swarm` shows and `swarm update` changes.
import { generateJoinToken, tlsInfo } from '../ca/index.js';
import type { ClusterObject, ClusterSpec } from '../store/objects.js';
import type { ControlContext } from './context.js';
import { ControlError } from './errors.js';

export const CLUSTER_ID_KEY = 'cluster';

/** Docker's CLI sends zero values for everything the user did not set; zero means "keep the default". */
export function mergeClusterSpec(base: ClusterSpec, requested: Partial<Record<keyof ClusterSpec, unknown>> | undefined): ClusterSpec {
  const r = (requested ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const pick = <T extends object>(defaults: T, given: Record<string, unknown> | undefined): T => {
    const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
    for (const [k, v] of Object.entries(given ?? {})) {
      if (v !== 0 && v !== '' && v !== null && v !== undefined) out[k] = v;
    }
    return out as T;
  };
  return {
    Name: base.Name,
    Labels: (requested?.Labels as Record<string, string> | null | undefined) ?? base.Labels,
    Orchestration: pick(base.Orchestration, r.Orchestration),
    Raft: pick(base.Raft, r.Raft),
    Dispatcher: pick(base.Dispatcher, r.Dispatcher),
    CAConfig: pick(base.CAConfig, r.CAConfig),
    TaskDefaults: pick(base.TaskDefaults, r.TaskDefaults),
    EncryptionConfig: pick(base.EncryptionConfig, r.EncryptionConfig),
  };
}

export function validateClusterSpec(spec: ClusterSpec): void {
  const { ElectionTick, HeartbeatTick } = spec.Raft;
  if (!Number.isInteger(HeartbeatTick) || HeartbeatTick < 1) {
    throw new ControlError('invalid-argument', 'invalid heartbeat tick: must be a positive integer');
  }
  if (!Number.isInteger(ElectionTick) || ElectionTick <= HeartbeatTick) {
    throw new ControlError('invalid-argument', 'ElectionTick must be greater than HeartbeatTick');
  }
  if (spec.Orchestration.TaskHistoryRetentionLimit < 0) {
    throw new ControlError('invalid-argument', 'TaskHistoryRetentionLimit must be non-negative');
  }
  if (spec.Dispatcher.HeartbeatPeriod < 1_000_000_000) {
    throw new ControlError('invalid-argument', 'heartbeat period must be at least 1s');
  }
  if (spec.CAConfig.NodeCertExpiry < 3600 * 1_000_000_000) {
    throw new ControlError('invalid-argument', 'minimum certificate expiry time is: 1h0m0s');
  }
}

export function clusterObject(ctx: ControlContext): ClusterObject {
  const cluster = ctx.view.list('cluster')[0];
  if (!cluster) throw new ControlError('unavailable', 'the swarm has no cluster object yet');
  return cluster;
}

/** `GET /swarm`: the cluster as Docker shows it, without the CA key. */
export function swarmView(cluster: ClusterObject): Record<string, unknown> {
  const { RootCA, ...rest } = cluster;
  return {
    ID: rest.ID,
    Version: rest.Version,
    CreatedAt: rest.CreatedAt,
    UpdatedAt: rest.UpdatedAt,
    Spec: rest.Spec,
    TLSInfo: tlsInfo(RootCA.CertPem),
    RootRotationInProgress: false,
    DefaultAddrPool: rest.DefaultAddrPool,
    SubnetSize: rest.SubnetSize,
    DataPathPort: rest.DataPathPort,
    JoinTokens: rest.JoinTokens,
  };
}

export interface SwarmUpdate {
  readonly version: number;
  readonly spec: Partial<ClusterSpec>;
  readonly rotateWorkerToken: boolean;
  readonly rotateManagerToken: boolean;
}

export async function updateSwarm(ctx: ControlContext, update: SwarmUpdate): Promise<void> {
  const cluster = clusterObject(ctx);
  // Like dockerd, a field left at its zero value keeps the current setting rather than a default.
  const spec = mergeClusterSpec(cluster.Spec, update.spec as Partial<Record<keyof ClusterSpec, unknown>>);
  validateClusterSpec(spec);
  const JoinTokens = {
    Worker: update.rotateWorkerToken ? generateJoinToken(cluster.RootCA.CertPem) : cluster.JoinTokens.Worker,
    Manager: update.rotateManagerToken ? generateJoinToken(cluster.RootCA.CertPem) : cluster.JoinTokens.Manager,
  };
  await ctx.commit([
    { op: 'update', table: 'cluster', expectedVersion: update.version, object: { ...cluster, Spec: { ...spec, Name: cluster.Spec.Name }, JoinTokens } },
  ]);
}
