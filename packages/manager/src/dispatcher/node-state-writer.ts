// The dispatcher's node state writes (ready when a session opens, down after the grace period), in
// batches: after a leader change every node reconnects within seconds, and one commit per node, each
// fanned out to every session and control loop, kept a new leader busy for as long as it took to
// reach all of them (bench/scale). Writes asked for in the same event-loop turn, or while the previous
// batch is being committed, go in one transaction (at most MAX_BATCH nodes); a write that changes
// nothing (a node reconnecting as it was) is not committed at all.
import { ControlError } from '../control/errors.js';
import type { MemoryStore } from '../store/memory-store.js';
import type { NodeObject, NodeState } from '../store/objects.js';
import type { Action } from '../store/transaction.js';
import { canonical } from '../tasks/spec.js';

export interface NodeStateUpdate {
  readonly state: NodeState;
  /** Merged over the stored description (the agent's report of its host). */
  readonly description?: Record<string, unknown>;
  readonly addr?: string;
}

const MAX_BATCH = 500;
const ATTEMPTS = 5;

interface Queued {
  update: NodeStateUpdate;
  readonly waiters: { resolve: () => void; reject: (err: unknown) => void }[];
}

export class NodeStateWriter {
  readonly #store: MemoryStore;
  readonly #commit: (actions: readonly Action[]) => Promise<void>;
  readonly #queue = new Map<string, Queued>();
  #flushing = false;

  constructor(store: MemoryStore, commit: (actions: readonly Action[]) => Promise<void>) {
    this.#store = store;
    this.#commit = commit;
  }

  /** Resolves once the node's state is stored (or the node is gone); rejects when the write failed. */
  write(nodeId: string, update: NodeStateUpdate): Promise<void> {
    return new Promise((resolve, reject) => {
      const queued = this.#queue.get(nodeId);
      if (queued === undefined) this.#queue.set(nodeId, { update, waiters: [{ resolve, reject }] });
      else {
        // A later write wins, over what the earlier one reported of the node.
        queued.update = { ...queued.update, ...update, description: { ...queued.update.description, ...update.description } };
        queued.waiters.push({ resolve, reject });
      }
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.size > 0) {
      const batch = new Map<string, Queued>();
      for (const [nodeId, queued] of this.#queue) {
        if (batch.size >= MAX_BATCH) break;
        batch.set(nodeId, queued);
        this.#queue.delete(nodeId);
      }
      let error: unknown;
      try {
        await this.#commitBatch(batch);
      } catch (err) {
        error = err;
      }
      for (const queued of batch.values()) for (const w of queued.waiters) error === undefined ? w.resolve() : w.reject(error);
    }
    this.#flushing = false;
  }

  /** Retries with fresh versions when a node changed between the read and the commit. */
  async #commitBatch(batch: ReadonlyMap<string, Queued>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const actions: Action[] = [];
      for (const [nodeId, { update }] of batch) {
        const node = this.#store.get('node', nodeId);
        const next = node && withState(node, update);
        if (node && next) actions.push({ op: 'update', table: 'node', expectedVersion: node.Version.Index, object: next });
      }
      if (actions.length === 0) return;
      try {
        await this.#commit(actions);
        return;
      } catch (err) {
        const stale = err instanceof ControlError && err.message.includes('out of sequence');
        if (!stale || attempt >= ATTEMPTS) throw err;
      }
    }
  }
}

/** The node with the update applied, or undefined when the update changes nothing. */
function withState(node: NodeObject, update: NodeStateUpdate): NodeObject | undefined {
  const description = { ...node.Description, ...(update.description ?? {}) } as NodeObject['Description'];
  const addr = update.addr ?? node.Status.Addr;
  if (node.Status.State === update.state && node.Status.Addr === addr && canonical(description) === canonical(node.Description)) return undefined;
  return { ...node, Description: description, Status: { State: update.state, Addr: addr } };
}
