// The Engine API's request bodies as dockerd's Go structs declare them (api/types, api/types/swarm,
// api/types/network), for decodeShape. Field types follow the Go types; durations are int64 nanoseconds.
import { arr, bool, int, map, obj, str, uint } from './json-shape.js';

export const clusterSpecShape = obj('swarm.Spec', {
  Name: str,
  Labels: map(str),
  Orchestration: obj('swarm.OrchestrationConfig', { TaskHistoryRetentionLimit: int('int64') }),
  Raft: obj('swarm.RaftConfig', {
    SnapshotInterval: uint('uint64'),
    KeepOldSnapshots: uint('uint64'),
    LogEntriesForSlowFollowers: uint('uint64'),
    ElectionTick: int('int'),
    HeartbeatTick: int('int'),
  }),
  Dispatcher: obj('swarm.DispatcherConfig', { HeartbeatPeriod: int('int64') }),
  CAConfig: obj('swarm.CAConfig', {
    NodeCertExpiry: int('int64'),
    ExternalCAs: arr(obj('swarm.ExternalCA', { Protocol: str, URL: str, Options: map(str), CACert: str })),
    SigningCACert: str,
    SigningCAKey: str,
    ForceRotate: uint('uint64'),
  }),
  TaskDefaults: obj('swarm.TaskDefaults', { LogDriver: obj('swarm.Driver', { Name: str, Options: map(str) }) }),
  EncryptionConfig: obj('swarm.EncryptionConfig', { AutoLockManagers: bool }),
});

export const initRequestShape = obj('swarm.InitRequest', {
  ListenAddr: str,
  AdvertiseAddr: str,
  DataPathAddr: str,
  DataPathPort: uint('uint32'),
  ForceNewCluster: bool,
  Spec: clusterSpecShape,
  AutoLockManagers: bool,
  Availability: str,
  DefaultAddrPool: arr(str),
  SubnetSize: uint('uint32'),
});

export const joinRequestShape = obj('swarm.JoinRequest', {
  ListenAddr: str,
  AdvertiseAddr: str,
  DataPathAddr: str,
  RemoteAddrs: arr(str),
  JoinToken: str,
  Availability: str,
});

export const nodeSpecShape = obj('swarm.NodeSpec', { Name: str, Labels: map(str), Role: str, Availability: str });

export const networkCreateShape = obj('types.NetworkCreateRequest', {
  Name: str,
  CheckDuplicate: bool,
  Driver: str,
  Scope: str,
  EnableIPv4: bool,
  EnableIPv6: bool,
  IPAM: obj('network.IPAM', {
    Driver: str,
    Options: map(str),
    Config: arr(obj('network.IPAMConfig', { Subnet: str, IPRange: str, Gateway: str, AuxiliaryAddresses: map(str) })),
  }),
  Internal: bool,
  Attachable: bool,
  Ingress: bool,
  ConfigOnly: bool,
  ConfigFrom: obj('network.ConfigReference', { Network: str }),
  Options: map(str),
  Labels: map(str),
});
