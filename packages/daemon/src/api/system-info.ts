// The seams behind /_ping, /version and /info: static facts about this host and engine, and the live
// state the coordinator reports (swarm membership, container and image counts).

/** Facts gathered once at start (see gatherHostFacts). */
export interface HostFacts {
  readonly engineVersion: string;
  readonly gitCommit: string;
  readonly buildTime: string;
  /** A stable identity of this engine (not the swarm node ID), kept under the data root. */
  readonly engineId: string;
  /** The node's name (--hostname, else the kernel hostname). */
  readonly hostname: string;
  readonly dataRoot: string;
  readonly kernelVersion: string;
  readonly operatingSystem: string;
  readonly osVersion: string;
  /** uname-style machine name, e.g. "x86_64". */
  readonly architecture: string;
  /** Go-style architecture name, e.g. "amd64", as `docker version` shows it. */
  readonly goArch: string;
  readonly ncpu: number;
  readonly memTotalBytes: number;
  readonly cgroupVersion: '1' | '2';
}

export type LocalNodeState = 'inactive' | 'pending' | 'active' | 'error' | 'locked';

/** The `Swarm` block of GET /info, exactly as the API returns it. */
export interface SwarmInfo {
  readonly NodeID: string;
  readonly NodeAddr: string;
  readonly LocalNodeState: LocalNodeState;
  readonly ControlAvailable: boolean;
  readonly Error: string;
  readonly RemoteManagers: readonly { readonly NodeID: string; readonly Addr: string }[] | null;
  /** Only on managers (ControlAvailable): counts and the Cluster object (Swarm without JoinTokens). */
  readonly Nodes?: number;
  readonly Managers?: number;
  readonly Cluster?: unknown;
}

export interface EngineCounts {
  readonly containers: number;
  readonly running: number;
  readonly paused: number;
  readonly stopped: number;
  readonly images: number;
}

/** The node's live state for /info; implemented by the daemon's coordinator. */
export interface SwarmInfoProvider {
  swarmInfo(): SwarmInfo | Promise<SwarmInfo>;
  engineCounts(): EngineCounts | Promise<EngineCounts>;
}

export interface SystemInfoProvider {
  readonly host: HostFacts;
  readonly swarm: SwarmInfoProvider;
}

export const inactiveSwarmInfo: SwarmInfo = {
  NodeID: '',
  NodeAddr: '',
  LocalNodeState: 'inactive',
  ControlAvailable: false,
  Error: '',
  RemoteManagers: null,
};

/** A node that is in no swarm and runs no containers: what shoald reports until the coordinator runs. */
export const inactiveSwarm: SwarmInfoProvider = {
  swarmInfo: () => inactiveSwarmInfo,
  engineCounts: () => ({ containers: 0, running: 0, paused: 0, stopped: 0, images: 0 }),
};
