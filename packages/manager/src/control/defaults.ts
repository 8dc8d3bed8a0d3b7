// Docker's defaults for a new swarm (swarmkit's DefaultClusterSpec / docker swarm init).
import type { ClusterSpec } from '../store/objects.js';

const NANOS_PER_SECOND = 1_000_000_000;

export const defaultClusterSpec: ClusterSpec = {
  Name: 'default',
  Labels: {},
  Orchestration: { TaskHistoryRetentionLimit: 5 },
  Raft: { SnapshotInterval: 10000, KeepOldSnapshots: 0, LogEntriesForSlowFollowers: 500, ElectionTick: 10, HeartbeatTick: 1 },
  Dispatcher: { HeartbeatPeriod: 5 * NANOS_PER_SECOND },
  CAConfig: { NodeCertExpiry: 90 * 24 * 3600 * NANOS_PER_SECOND },
  TaskDefaults: {},
  EncryptionConfig: { AutoLockManagers: false },
};

export const defaultAddrPool: readonly string[] = ['10.0.0.0/8'];
export const defaultSubnetSize = 24;
export const defaultDataPathPort = 4789;
export const defaultControlPort = 2377;
