// The nodes that can take a task group, ready to hand out the best one again and again (swarmkit's
// scheduleTaskGroup / decision tree): a tree by spread-preference values whose leaves are heaps ordered
// by recent failures of the service, then the service's tasks on the node, then all its tasks, then node
// ID. Placing a task only changes the node it went to, so each placement costs O(depth × branches +
// log nodes) instead of a scan of every node.
import type { NodeObject } from '../store/objects.js';
import type { NodeInfo } from './filters.js';

export interface GroupOrder {
  readonly serviceId: string;
  /** Spread-preference descriptors, outermost first (node.labels.x, engine.labels.x, node.id, node.hostname). */
  readonly spreadOver: readonly string[];
  /** Failed or rejected tasks of the service on the node lately: such nodes come last. */
  readonly failures: (nodeId: string) => number;
}

interface Branch {
  /** Tasks of the service on this branch's nodes that can still take the group. */
  load: number;
  /** Nodes below this branch that can still take the group. */
  size: number;
  readonly children: Map<string, Branch> | undefined;
  readonly heap: NodeInfo[] | undefined;
}

export class Candidates {
  readonly #order: GroupOrder;
  readonly #root: Branch;
  readonly #paths = new Map<NodeInfo, Branch[]>();

  /** `fits`: the nodes that pass the filters for the group right now. */
  constructor(order: GroupOrder, fits: readonly NodeInfo[]) {
    this.#order = order;
    this.#root = this.#build(fits, 0);
  }

  /** The node the next task of the group should go to, or undefined when none can take it. */
  best(): NodeInfo | undefined {
    let branch = this.#root;
    while (branch.children !== undefined) {
      let next: [string, Branch] | undefined;
      for (const entry of branch.children) {
        const [key, child] = entry;
        if (child.size === 0) continue;
        if (next === undefined || child.load < next[1].load || (child.load === next[1].load && key.localeCompare(next[0]) < 0)) next = entry;
      }
      if (next === undefined) return undefined;
      branch = next[1];
    }
    return branch.heap![0];
  }

  /**
   * A task of the group was counted on `info` (which best() returned). `stillFits`: whether the node
   * passes the filters for the group's next task (max replicas, reservations may now refuse it).
   */
  placed(info: NodeInfo, stillFits: boolean): void {
    const path = this.#paths.get(info);
    const leaf = path?.[path.length - 1];
    if (path === undefined || leaf?.heap?.[0] !== info) throw new Error('scheduler: placed() on a node best() did not return');
    const tasks = this.#serviceTasks(info);
    for (const branch of path) {
      if (stillFits) branch.load++;
      else {
        branch.load -= tasks - 1;
        branch.size--;
      }
    }
    if (stillFits) siftDown(leaf.heap, 0, this.#less);
    else {
      this.#paths.delete(info);
      const last = leaf.heap.pop()!;
      if (leaf.heap.length > 0) {
        leaf.heap[0] = last;
        siftDown(leaf.heap, 0, this.#less);
      }
    }
  }

  #build(nodes: readonly NodeInfo[], depth: number): Branch {
    const load = nodes.reduce((n, info) => n + this.#serviceTasks(info), 0);
    const descriptor = this.#order.spreadOver[depth];
    if (descriptor === undefined || nodes.length === 0) {
      const heap = [...nodes].sort((a, b) => (this.#less(a, b) ? -1 : 1));
      const leaf: Branch = { load, size: nodes.length, children: undefined, heap };
      for (const info of nodes) this.#paths.set(info, [leaf]);
      return leaf;
    }
    const byValue = new Map<string, NodeInfo[]>();
    for (const info of nodes) {
      const key = spreadValue(info.node, descriptor) ?? '';
      const list = byValue.get(key);
      if (list === undefined) byValue.set(key, [info]);
      else list.push(info);
    }
    const children = new Map([...byValue].map(([key, list]) => [key, this.#build(list, depth + 1)]));
    const branch: Branch = { load, size: nodes.length, children, heap: undefined };
    for (const info of nodes) this.#paths.get(info)!.unshift(branch);
    return branch;
  }

  #serviceTasks(info: NodeInfo): number {
    return info.tasksByService.get(this.#order.serviceId) ?? 0;
  }

  readonly #less = (a: NodeInfo, b: NodeInfo): boolean => {
    const order = this.#order;
    return (
      (order.failures(a.node.ID) - order.failures(b.node.ID) ||
        this.#serviceTasks(a) - this.#serviceTasks(b) ||
        a.liveTasks - b.liveTasks ||
        a.node.ID.localeCompare(b.node.ID)) < 0
    );
  };
}

function siftDown(heap: NodeInfo[], from: number, less: (a: NodeInfo, b: NodeInfo) => boolean): void {
  let i = from;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < heap.length && less(heap[left]!, heap[smallest]!)) smallest = left;
    if (right < heap.length && less(heap[right]!, heap[smallest]!)) smallest = right;
    if (smallest === i) return;
    [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
    i = smallest;
  }
}

export function spreadValue(node: NodeObject, descriptor: string): string | undefined {
  if (descriptor.startsWith('node.labels.')) return node.Spec.Labels[descriptor.slice('node.labels.'.length)];
  if (descriptor.startsWith('engine.labels.')) {
    return (node.Description as { Engine?: { Labels?: Record<string, string> } }).Engine?.Labels?.[descriptor.slice('engine.labels.'.length)];
  }
  if (descriptor === 'node.id') return node.ID;
  if (descriptor === 'node.hostname') return node.Description.Hostname;
  return undefined;
}
