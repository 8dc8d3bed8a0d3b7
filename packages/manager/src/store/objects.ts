// Replicated objects, stored in the shape the Docker Engine API returns them so that reads need no
// conversion. Only the fields the manager itself reasons about are typed precisely; the rest of each
// spec is carried as the user sent it.

export interface Version {
  readonly Index: number;
}

export interface Meta {
  readonly ID: string;
  readonly Version: Version;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
}

export type NodeRole = 'manager' | 'worker';
export type NodeAvailability = 'active' | 'pause' | 'drain';
export type NodeState = 'unknown' | 'down' | 'ready' | 'disconnected';
/** Whether a manager answers Raft: derived from live Raft state, not stored (see ManagerStatus in the API layer). */
export type Reachability = 'unknown' | 'unreachable' | 'reachable';

export interface NodeSpec {
  readonly Name?: string;
  readonly Labels: Record<string, string>;
  readonly Role: NodeRole;
  readonly Availability: NodeAvailability;
}

export interface NodeObject extends Meta {
  readonly Spec: NodeSpec;
  readonly Description: Record<string, unknown> & { readonly Hostname: string };
  readonly Status: { readonly State: NodeState; readonly Message?: string; readonly Addr: string };
  /** Present on managers: the address other managers reach its Raft/gRPC endpoint at. */
  readonly ManagerStatus?: { readonly Addr: string };
}

export interface ClusterSpec {
  readonly Name: string;
  readonly Labels: Record<string, string>;
  readonly Orchestration: { readonly TaskHistoryRetentionLimit: number };
  readonly Raft: {
    readonly SnapshotInterval: number;
    readonly KeepOldSnapshots: number;
    readonly LogEntriesForSlowFollowers: number;
    readonly ElectionTick: number;
    readonly HeartbeatTick: number;
  };
  readonly Dispatcher: { readonly HeartbeatPeriod: number };
  readonly CAConfig: { readonly NodeCertExpiry: number } & Record<string, unknown>;
  readonly TaskDefaults: Record<string, unknown>;
  readonly EncryptionConfig: { readonly AutoLockManagers: boolean };
}

export interface ClusterObject extends Meta {
  readonly Spec: ClusterSpec;
  readonly DefaultAddrPool: readonly string[];
  readonly SubnetSize: number;
  readonly DataPathPort: number;
  readonly JoinTokens: { readonly Worker: string; readonly Manager: string };
  /** The root CA, replicated so that any manager that becomes leader can sign certificates. Never served by the API. */
  readonly RootCA: { readonly CertPem: string; readonly KeyPem: string };
}

/** One IPAM pool as the user may request it (`--subnet`, `--ip-range`, `--gateway`, `--aux-address`). */
export interface IpamConfigRequest {
  readonly Subnet?: string;
  readonly IPRange?: string;
  readonly Gateway?: string;
  readonly AuxiliaryAddresses?: Readonly<Record<string, string>>;
}

/** What the user asked for in `network create`, normalized; allocation results live in NetworkAllocation. */
export interface NetworkSpec {
  readonly Name: string;
  readonly Labels: Readonly<Record<string, string>>;
  readonly Driver: 'overlay';
  /** Driver options as given (--opt), e.g. `encrypted`, `com.docker.network.driver.mtu`. */
  readonly Options: Readonly<Record<string, string>>;
  readonly IPAM: {
    readonly Driver: 'default';
    readonly Options: Readonly<Record<string, string>>;
    /** At most one IPv4 pool. */
    readonly Config: readonly IpamConfigRequest[];
  };
  readonly Internal: boolean;
  readonly Attachable: boolean;
  readonly Ingress: boolean;
}

/** What the leader's allocator decided for a network, in the same transaction that creates it. */
export interface NetworkAllocation {
  /** VXLAN ID, unique among live networks. */
  readonly Vni: number;
  /** Unique among live networks: no two subnets overlap. */
  readonly Subnet: string;
  /** Inside Subnet; never handed to a task, service or node. */
  readonly Gateway: string;
  /** Inside Subnet; where dynamic addresses come from when set. */
  readonly IPRange?: string;
  /** Inside Subnet; reserved like the gateway. */
  readonly AuxiliaryAddresses?: Readonly<Record<string, string>>;
}

export interface NetworkObject extends Meta {
  readonly Spec: NetworkSpec;
  readonly Allocation: NetworkAllocation;
}

/** Services and tasks arrive with the issues that bring them; their specs are opaque here. */
export interface NamedObject extends Meta {
  readonly Spec: { readonly Name: string } & Record<string, unknown>;
  /** Derived state the manager attaches (Endpoint, IPAM results...), shaped as the API shows it. */
  readonly Status?: Record<string, unknown>;
}

export interface TaskObject extends Meta {
  readonly ServiceID: string;
  readonly NodeID?: string;
  readonly Spec: Record<string, unknown>;
  readonly Status: Record<string, unknown>;
}

export interface Tables {
  cluster: ClusterObject;
  node: NodeObject;
  network: NetworkObject;
  service: NamedObject;
  task: TaskObject;
}

export type TableName = keyof Tables;
export const TABLE_NAMES: readonly TableName[] = ['cluster', 'node', 'network', 'service', 'task'];

/** Tables whose objects' Spec.Name must be unique, with the noun Docker uses in its conflict message. */
export const UNIQUE_NAMES: Partial<Record<TableName, string>> = {
  cluster: 'cluster',
  network: 'network',
  service: 'service',
};

export type AnyObject = Tables[TableName];

/** What a writer hands the store: the store stamps Version and timestamps. */
export type Draft<T extends Meta> = Omit<T, 'Version' | 'CreatedAt' | 'UpdatedAt'> & Partial<Pick<T, 'CreatedAt'>>;
