// Callers waiting on the log: proposals wait for their index to be applied, reads wait first for a
// read index from the leader and then for the local applied index to reach it. Deadlines are checked
// on each tick rather than with one timer per request, which stays cheap under many concurrent callers.
import { LeadershipLostError, ProposalSupersededError, RequestTimeoutError } from './errors.js';

interface Waiter {
  readonly deadlineMs: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

interface ProposalWaiter extends Waiter {
  readonly term: number;
}

interface ReadWaiter extends Waiter {
  /** 0 until the leader has confirmed a read index for this context. */
  index: number;
}

export class Waiters {
  private readonly proposals = new Map<number, ProposalWaiter>();
  private readonly reads = new Map<string, ReadWaiter>();
  /** Contexts the leader could not serve yet (no entry of its term committed); re-asked on the next tick. */
  private readonly readRetries = new Set<string>();

  constructor(private readonly timeoutMs: number) {}

  get pendingProposals(): number {
    return this.proposals.size;
  }

  waitApplied(index: number, term: number, nowMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.proposals.set(index, { term, resolve, reject, deadlineMs: nowMs + this.timeoutMs });
    });
  }

  /** An entry was applied with `result`; settles the proposal that asked for its slot, if any. */
  applied(index: number, term: number, result: unknown): void {
    const w = this.proposals.get(index);
    if (w === undefined) return;
    this.proposals.delete(index);
    if (w.term === term) w.resolve(result);
    else w.reject(new ProposalSupersededError(index, w.term, term));
  }

  /** Leadership moved on: nothing this member proposed can be known to commit any more. */
  leadershipLost(): void {
    for (const [index, w] of this.proposals) w.reject(new LeadershipLostError(index));
    this.proposals.clear();
  }

  waitRead(context: string, nowMs: number): Promise<void> {
    return new Promise<unknown>((resolve, reject) => {
      this.reads.set(context, { index: 0, resolve, reject, deadlineMs: nowMs + this.timeoutMs });
    }).then(() => undefined);
  }

  /** The leader confirmed `index` for `context` (0: not yet servable, ask again). */
  readState(context: string, index: number): void {
    const w = this.reads.get(context);
    if (w === undefined) return;
    if (index === 0) this.readRetries.add(context);
    else w.index = index;
  }

  /** Reads to ask the leader for again; the set is emptied. */
  takeReadRetries(): string[] {
    const contexts = [...this.readRetries].filter((c) => this.reads.has(c));
    this.readRetries.clear();
    return contexts;
  }

  /** The state machine has applied up to `applied`: reads confirmed at or below it may be served. */
  releaseReads(applied: number): void {
    for (const [context, w] of this.reads) {
      if (w.index !== 0 && w.index <= applied) {
        this.reads.delete(context);
        w.resolve(undefined);
      }
    }
  }

  expire(nowMs: number): void {
    for (const [index, w] of this.proposals) {
      if (w.deadlineMs <= nowMs) {
        this.proposals.delete(index);
        w.reject(new RequestTimeoutError(`proposal at index ${index}`, this.timeoutMs));
      }
    }
    for (const [context, w] of this.reads) {
      if (w.deadlineMs <= nowMs) {
        this.reads.delete(context);
        w.reject(new RequestTimeoutError('read index', this.timeoutMs));
      }
    }
  }

  failAll(err: unknown): void {
    for (const w of this.proposals.values()) w.reject(err);
    for (const w of this.reads.values()) w.reject(err);
    this.proposals.clear();
    this.reads.clear();
    this.readRetries.clear();
  }
}
