// The parts of a swarm task (the Engine API's Task object, as the dispatcher sends it) the agent acts
// on. The agent does not depend on the manager: these mirror its shapes.
import type { NetworkChange } from '../dataplane/types.js';

export type TaskState =
  | 'new' | 'pending' | 'assigned' | 'accepted' | 'preparing' | 'ready' | 'starting' | 'running'
  | 'complete' | 'shutdown' | 'failed' | 'rejected' | 'remove' | 'orphaned';

const ORDER: readonly TaskState[] = ['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running', 'complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned'];

export function rank(state: TaskState): number {
  return ORDER.indexOf(state);
}

export function isTerminal(state: TaskState): boolean {
  return rank(state) > rank('running');
}

export interface TaskStatus {
  readonly Timestamp: string;
  readonly State: TaskState;
  readonly Message: string;
  readonly Err?: string;
  readonly ContainerStatus?: { readonly ContainerID: string; readonly PID: number; readonly ExitCode: number };
  readonly PortStatus: Record<string, unknown>;
}

export interface AssignedTask {
  readonly ID: string;
  readonly ServiceID: string;
  readonly Slot: number;
  readonly NodeID: string;
  readonly DesiredState: TaskState;
  readonly Status: TaskStatus;
  readonly Spec: {
    readonly ContainerSpec?: {
      readonly Image: string;
      readonly Labels?: Record<string, string>;
      readonly Command?: string[];
      readonly Args?: string[];
      readonly Env?: string[];
      readonly Dir?: string;
      readonly User?: string;
      readonly Hostname?: string;
      readonly TTY?: boolean;
      readonly OpenStdin?: boolean;
      /** Nanoseconds. */
      readonly StopGracePeriod?: number;
    };
  };
  readonly NetworksAttachments?: readonly NetworkAttachment[];
}

export interface NetworkAttachment {
  readonly Network: { readonly ID: string } & Record<string, unknown>;
  /** "a.b.c.d/len" */
  readonly Addresses: readonly string[];
}

export interface Assignments {
  readonly tasks: readonly AssignedTask[];
  readonly removed: readonly string[];
  readonly serviceNames: Readonly<Record<string, string>>;
  /** The networks of the node's tasks (full) or those that changed (incremental); absent = none. */
  readonly networks?: readonly NetworkChange[];
  readonly removedNetworks?: readonly string[];
  /** Full messages: the cluster's VXLAN UDP port. */
  readonly dataPathPort?: number;
}

/** The task should (still) run: desired state at or before running. */
export function shouldRun(task: AssignedTask): boolean {
  return rank(task.DesiredState) <= rank('running');
}
