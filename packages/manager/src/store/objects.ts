// Replicated objects, stored in the shape the Docker Engine API returns them so that reads need no
// conversion. Only the fields the manager itself reasons about are typed precisely; the rest of each
// spec is carried as the user sent it.
import type { NetworkKey } from '../keys/key-ring.js';

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
  /** Keys of encrypted overlays (keys/key-ring.ts), kept by the leader's key manager; absent until it first runs. Never served by the API. */
  readonly NetworkBootstrapKeys?: readonly NetworkKey[];
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

/** Docker's task states in lifecycle order (swarmkit's TaskState): a task never moves backwards. */
export const TASK_STATES = [
  'new',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'ready',
  'starting',
  'running',
  'complete',
  'shutdown',
  'failed',
  'rejected',
  'remove',
  'orphaned',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** A service's desired task template, as the Engine API carries it (unknown fields are kept as sent). */
export interface TaskSpec {
  readonly ContainerSpec?: {
    readonly Image: string;
    readonly Labels?: Readonly<Record<string, string>>;
    readonly Command?: readonly string[];
    readonly Args?: readonly string[];
    readonly Env?: readonly string[];
    readonly Dir?: string;
    readonly User?: string;
    readonly Hostname?: string;
    readonly TTY?: boolean;
    readonly OpenStdin?: boolean;
    /** Nanoseconds. */
    readonly StopGracePeriod?: number;
  } & Readonly<Record<string, unknown>>;
  readonly Resources?: {
    readonly Limits?: { readonly NanoCPUs?: number; readonly MemoryBytes?: number };
    readonly Reservations?: { readonly NanoCPUs?: number; readonly MemoryBytes?: number };
  };
  readonly RestartPolicy?: {
    readonly Condition?: 'none' | 'on-failure' | 'any';
    /** Nanoseconds. */
    readonly Delay?: number;
    /** 0 = unlimited. */
    readonly MaxAttempts?: number;
    /** Nanoseconds; 0 = attempts are counted over the whole history. */
    readonly Window?: number;
  };
  readonly Placement?: {
    readonly Constraints?: readonly string[];
    readonly Preferences?: readonly { readonly Spread?: { readonly SpreadDescriptor: string } }[];
    readonly MaxReplicas?: number;
    /** The platforms the image exists for; a node must run one of them. */
    readonly Platforms?: readonly { readonly Architecture?: string; readonly OS?: string }[];
  } & Readonly<Record<string, unknown>>;
  readonly Networks?: readonly { readonly Target: string; readonly Aliases?: readonly string[] }[];
  readonly ForceUpdate?: number;
  readonly Runtime?: string;
  readonly [key: string]: unknown;
}

export interface UpdateConfig {
  /** 0 = all at once. */
  readonly Parallelism?: number;
  /** Nanoseconds between batches. */
  readonly Delay?: number;
  readonly FailureAction?: 'pause' | 'continue' | 'rollback';
  /** Nanoseconds a new task is watched for failure. */
  readonly Monitor?: number;
  readonly MaxFailureRatio?: number;
  readonly Order?: 'stop-first' | 'start-first';
}

export interface PortConfig {
  readonly Name?: string;
  readonly Protocol?: 'tcp' | 'udp' | 'sctp';
  readonly TargetPort?: number;
  readonly PublishedPort?: number;
  readonly PublishMode?: 'ingress' | 'host';
}

export interface EndpointSpec {
  readonly Mode?: 'vip' | 'dnsrr';
  readonly Ports?: readonly PortConfig[];
}

export interface ServiceMode {
  readonly Replicated?: { readonly Replicas?: number };
  readonly Global?: Readonly<Record<string, never>>;
  readonly ReplicatedJob?: { readonly MaxConcurrent?: number; readonly TotalCompletions?: number };
  readonly GlobalJob?: Readonly<Record<string, never>>;
}

export interface ServiceSpec {
  readonly Name: string;
  /** Optional in the API; normalized present on every stored service. */
  readonly Labels?: Readonly<Record<string, string>>;
  readonly TaskTemplate: TaskSpec;
  /** Optional in the API (replicated, 1 replica); normalized present on every stored service. */
  readonly Mode?: ServiceMode;
  readonly UpdateConfig?: UpdateConfig;
  readonly RollbackConfig?: UpdateConfig;
  readonly EndpointSpec?: EndpointSpec;
  readonly [key: string]: unknown;
}

export type UpdateState = 'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';

export interface ServiceObject extends Meta {
  readonly Spec: ServiceSpec;
  /** The spec before the last update: what `service rollback` returns to. */
  readonly PreviousSpec?: ServiceSpec;
  /** Set when the service is created; absent only on objects written by tests of other modules. */
  readonly Endpoint?: {
    readonly Spec: EndpointSpec;
    readonly Ports?: readonly PortConfig[];
    readonly VirtualIPs?: readonly { readonly NetworkID: string; readonly Addr: string }[];
  };
  readonly UpdateStatus?: { readonly State: UpdateState; readonly StartedAt?: string; readonly CompletedAt?: string; readonly Message: string };
}

export interface TaskStatus {
  /** RFC 3339 time of the transition into State. */
  readonly Timestamp: string;
  readonly State: TaskState;
  readonly Message: string;
  /** Why the task failed or cannot be placed; absent when all is well. */
  readonly Err?: string;
  readonly ContainerStatus?: { readonly ContainerID: string; readonly PID: number; readonly ExitCode: number };
  readonly PortStatus: Readonly<Record<string, unknown>>;
}

export interface TaskNetworkAttachment {
  /** The network as the API shows it inside a task (ID, Spec name and driver, IPAM). */
  readonly Network: { readonly ID: string } & Readonly<Record<string, unknown>>;
  readonly Addresses: readonly string[];
}

export interface TaskObject extends Meta {
  readonly Labels: Readonly<Record<string, string>>;
  /** A copy of the service's TaskTemplate when the task was made: the task is up to date while they are equal. */
  readonly Spec: TaskSpec;
  readonly ServiceID: string;
  /** Replicated services: 1..replicas. Global services: 0 (the task is identified by its node). */
  readonly Slot: number;
  /** Set by the scheduler (or at creation for global services); absent while pending. */
  readonly NodeID?: string;
  readonly Status: TaskStatus;
  /** running while the task should run; shutdown or remove once it should stop. */
  readonly DesiredState: TaskState;
  readonly NetworksAttachments?: readonly TaskNetworkAttachment[];
}

export interface Tables {
  cluster: ClusterObject;
  node: NodeObject;
  network: NetworkObject;
  service: ServiceObject;
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
