// The Engine API's request bodies as dockerd's Go structs declare them (api/types, api/types/swarm,
// api/types/network), for decodeShape. Field types follow the Go types; durations are int64 nanoseconds.
import { arr, bool, int, map, obj, str, uint, unsupported } from './json-shape.js';

export const clusterSpecShape = obj('swarm.Spec', {
  Name: str,
  Labels: map(str),
  Orchestration: obj('swarm.OrchestrationConfig', { TaskHistoryRetentionLimit: int('int64') }),
  Raft: obj('swarm.RaftConfig', {
    // Managers snapshot every 10,000 entries and keep no old snapshots, as swarmkit's defaults: those
    // values (which the CLI sends back on every `swarm update`) pass, others are not acted on.
    SnapshotInterval: unsupported('other snapshot intervals than 10000 (--snapshot-interval)', uint('uint64'), (v) => v === 10_000),
    KeepOldSnapshots: unsupported('keeping old snapshots (--max-snapshots)', uint('uint64')),
    LogEntriesForSlowFollowers: unsupported('other log retention for slow followers than 500', uint('uint64'), (v) => v === 500),
    ElectionTick: int('int'),
    HeartbeatTick: int('int'),
  }),
  Dispatcher: obj('swarm.DispatcherConfig', { HeartbeatPeriod: int('int64') }),
  CAConfig: obj('swarm.CAConfig', {
    NodeCertExpiry: int('int64'),
    ExternalCAs: unsupported('external CAs (--external-ca)'),
    SigningCACert: unsupported('CA rotation (docker swarm ca --ca-cert)', str),
    SigningCAKey: unsupported('CA rotation (docker swarm ca --ca-key)', str),
    ForceRotate: unsupported('CA rotation (docker swarm ca --rotate)', uint('uint64')),
  }),
  TaskDefaults: obj('swarm.TaskDefaults', { LogDriver: unsupported('default log drivers (--log-driver)') }),
  EncryptionConfig: obj('swarm.EncryptionConfig', { AutoLockManagers: unsupported('autolock (--autolock)', bool) }),
});

export const initRequestShape = obj('swarm.InitRequest', {
  ListenAddr: str,
  AdvertiseAddr: str,
  DataPathAddr: str,
  DataPathPort: uint('uint32'),
  ForceNewCluster: bool,
  Spec: clusterSpecShape,
  AutoLockManagers: unsupported('autolock (--autolock)', bool),
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

/** `POST /networks/{id}/connect` (network.ConnectOptions). */
export const networkConnectShape = obj('network.ConnectOptions', {
  Container: str,
  EndpointConfig: obj('network.EndpointSettings', {
    IPAMConfig: obj('network.EndpointIPAMConfig', {
      IPv4Address: str,
      IPv6Address: unsupported('IPv6 addresses (--ip6)', str),
      LinkLocalIPs: unsupported('link-local addresses (--link-local-ip)'),
    }),
    Links: unsupported('links (--link)'),
    Aliases: arr(str),
    MacAddress: unsupported('MAC addresses', str),
    DriverOpts: unsupported('network driver options (--driver-opt)', map(str)),
    GwPriority: unsupported('gateway priorities (--gw-priority)', int('int')),
  }),
});
