// Linearizable reads the etcd ReadOnlySafe way: the leader records its commit index for a request,
// then a heartbeat round carrying the request's context confirms it is still the leader; once a
// majority acknowledged that context, every request queued up to it can be served at its index.
import type { Index, NodeId } from './types.js';

export interface ReadRequest {
  readonly context: string;
  /** Who asked: the leader itself, or the follower that forwarded the read. */
  readonly from: NodeId;
}

export interface PendingRead {
  readonly request: ReadRequest;
  readonly index: Index;
  readonly acks: Set<NodeId>;
}

export class ReadOnly {
  private readonly pending = new Map<string, PendingRead>();
  /** Contexts in arrival order; an ack for one confirms every earlier one too. */
  private queue: string[] = [];

  add(index: Index, request: ReadRequest): void {
    if (this.pending.has(request.context)) return;
    this.pending.set(request.context, { request, index, acks: new Set() });
    this.queue.push(request.context);
  }

  /** Records that `id` acknowledged `context`; returns who has, or null for an unknown context. */
  recvAck(id: NodeId, context: string): ReadonlySet<NodeId> | null {
    const read = this.pending.get(context);
    if (read === undefined) return null;
    read.acks.add(id);
    return read.acks;
  }

  /** Removes and returns every read queued up to and including `context`. */
  advance(context: string): PendingRead[] {
    const at = this.queue.indexOf(context);
    if (at < 0) return [];
    const done = this.queue.slice(0, at + 1).map((c) => this.pending.get(c)!);
    this.queue = this.queue.slice(at + 1);
    for (const read of done) this.pending.delete(read.request.context);
    return done;
  }

  lastPendingContext(): string | null {
    return this.queue[this.queue.length - 1] ?? null;
  }
}
