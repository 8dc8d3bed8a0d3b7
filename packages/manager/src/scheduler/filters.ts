// Scheduler filters, one small object each (swarmkit's filter.go): setTask says whether the filter
// applies to a task, check whether a node passes, explain words the refusal for `service ps`.
import type { NodeObject, TaskSpec } from '../store/objects.js';
import { satisfiesAll } from './constraints.js';

/** What the scheduler knows about a node while it places tasks. */
export interface NodeInfo {
  readonly node: NodeObject;
  /** Live tasks per service on the node (including those placed earlier in this pass). */
  readonly tasksByService: Map<string, number>;
  liveTasks: number;
  reservedNanoCpus: number;
  reservedMemoryBytes: number;
}

export interface Filter {
  /** False: the filter does not apply to this task (every node passes). */
  setTask(task: { readonly ServiceID: string; readonly Spec: TaskSpec }): boolean;
  check(info: NodeInfo): boolean;
  explain(nodes: number): string;
}

const nodes = (n: number) => (n === 1 ? '1 node' : `${n} nodes`);

export class ReadyFilter implements Filter {
  setTask(): boolean {
    return true;
  }
  check(info: NodeInfo): boolean {
    return info.node.Status.State === 'ready' && info.node.Spec.Availability === 'active';
  }
  explain(n: number): string {
    return `${nodes(n)} not available for new tasks`;
  }
}

export class ResourceFilter implements Filter {
  #cpus = 0;
  #memory = 0;
  setTask(task: { readonly Spec: TaskSpec }): boolean {
    const r = task.Spec.Resources?.Reservations;
    this.#cpus = r?.NanoCPUs ?? 0;
    this.#memory = r?.MemoryBytes ?? 0;
    return this.#cpus > 0 || this.#memory > 0;
  }
  check(info: NodeInfo): boolean {
    const resources = (info.node.Description as { Resources?: { NanoCPUs?: number; MemoryBytes?: number } }).Resources ?? {};
    return info.reservedNanoCpus + this.#cpus <= (resources.NanoCPUs ?? 0) && info.reservedMemoryBytes + this.#memory <= (resources.MemoryBytes ?? 0);
  }
  explain(n: number): string {
    return `insufficient resources on ${nodes(n)}`;
  }
}

export class ConstraintFilter implements Filter {
  #constraints: readonly string[] = [];
  setTask(task: { readonly Spec: TaskSpec }): boolean {
    this.#constraints = task.Spec.Placement?.Constraints ?? [];
    return this.#constraints.length > 0;
  }
  check(info: NodeInfo): boolean {
    return satisfiesAll(info.node, this.#constraints);
  }
  explain(n: number): string {
    return `scheduling constraints not satisfied on ${nodes(n)}`;
  }
}

/** Only nodes of a platform the image exists for (swarmkit's PlatformFilter; "" matches any). */
export class PlatformFilter implements Filter {
  #platforms: readonly { readonly Architecture?: string; readonly OS?: string }[] = [];
  setTask(task: { readonly Spec: TaskSpec }): boolean {
    this.#platforms = task.Spec.Placement?.Platforms ?? [];
    return this.#platforms.length > 0;
  }
  check(info: NodeInfo): boolean {
    const platform = (info.node.Description as { Platform?: { OS?: string; Architecture?: string } }).Platform;
    if (platform === undefined) return false;
    const arch = GO_ARCH[platform.Architecture ?? ''] ?? platform.Architecture ?? '';
    return this.#platforms.some(
      (p) => (!p.Architecture || p.Architecture === arch) && (!p.OS || p.OS.toLowerCase() === (platform.OS ?? '').toLowerCase()),
    );
  }
  explain(n: number): string {
    return `unsupported platform on ${nodes(n)}`;
  }
}

/** Nodes report the kernel's machine name; images name Go's architectures. */
const GO_ARCH: Readonly<Record<string, string>> = { x86_64: 'amd64', aarch64: 'arm64' };

export class MaxReplicasFilter implements Filter {
  #max = 0;
  #serviceId = '';
  setTask(task: { readonly ServiceID: string; readonly Spec: TaskSpec }): boolean {
    this.#max = task.Spec.Placement?.MaxReplicas ?? 0;
    this.#serviceId = task.ServiceID;
    return this.#max > 0;
  }
  check(info: NodeInfo): boolean {
    return (info.tasksByService.get(this.#serviceId) ?? 0) < this.#max;
  }
  explain(): string {
    return 'max replicas per node limit exceed';
  }
}

/** Runs the filters in order; a node is counted against the first filter that refuses it. */
export class Pipeline {
  readonly #filters: readonly Filter[] = [new ReadyFilter(), new ResourceFilter(), new ConstraintFilter(), new PlatformFilter(), new MaxReplicasFilter()];
  #active: Filter[] = [];
  readonly #refusals = new Map<Filter, number>();

  setTask(task: { readonly ServiceID: string; readonly Spec: TaskSpec }): void {
    this.#active = this.#filters.filter((f) => f.setTask(task));
    this.#refusals.clear();
  }

  check(info: NodeInfo): boolean {
    const refusing = this.#active.find((f) => !f.check(info));
    if (refusing) this.#refusals.set(refusing, (this.#refusals.get(refusing) ?? 0) + 1);
    return refusing === undefined;
  }

  /** Docker's "no suitable node (…)" for the nodes checked since setTask. */
  explain(): string {
    const parts = this.#filters.filter((f) => this.#refusals.has(f)).map((f) => f.explain(this.#refusals.get(f)!));
    return parts.length === 0 ? 'no suitable node' : `no suitable node (${parts.join('; ')})`;
  }
}
