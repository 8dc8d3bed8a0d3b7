// The client-visible history of a run, Jepsen style: every operation is invoked, then ends as
// ok (it happened, with this result), fail (it definitely did not happen) or info (unknown: it may
// have happened at any point after its invocation, even after the run's end).

export type KvOp =
  | { readonly f: 'put'; readonly key: string; readonly value: string }
  | { readonly f: 'get'; readonly key: string }
  | { readonly f: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string };

/** put: null; get: the value read (null when absent); cas: whether it swapped. */
export type KvResult = string | boolean | null;

export type HistoryEvent =
  | { readonly type: 'invoke'; readonly opId: number; readonly client: number; readonly atMs: number; readonly op: KvOp }
  | { readonly type: 'ok'; readonly opId: number; readonly atMs: number; readonly result: KvResult }
  | { readonly type: 'fail'; readonly opId: number; readonly atMs: number; readonly reason: string }
  | { readonly type: 'info'; readonly opId: number; readonly atMs: number; readonly reason: string };

/** One operation with its outcome folded in; `endMs` is Infinity for an unknown outcome. */
export interface CompletedOp {
  readonly opId: number;
  readonly client: number;
  readonly op: KvOp;
  readonly startMs: number;
  readonly endMs: number;
  /** undefined when the outcome is unknown. */
  readonly result: KvResult | undefined;
}

export class History {
  readonly events: HistoryEvent[] = [];
  private nextOpId = 1;
  private readonly open = new Set<number>();

  invoke(client: number, op: KvOp, atMs: number): number {
    const opId = this.nextOpId++;
    this.open.add(opId);
    this.events.push({ type: 'invoke', opId, client, atMs, op });
    return opId;
  }

  ok(opId: number, result: KvResult, atMs: number): void {
    this.close(opId);
    this.events.push({ type: 'ok', opId, atMs, result });
  }

  fail(opId: number, reason: string, atMs: number): void {
    this.close(opId);
    this.events.push({ type: 'fail', opId, atMs, reason });
  }

  info(opId: number, reason: string, atMs: number): void {
    this.close(opId);
    this.events.push({ type: 'info', opId, atMs, reason });
  }

  private close(opId: number): void {
    if (!this.open.delete(opId)) throw new Error(`history: operation ${opId} completed twice or never invoked`);
  }
}

/**
 * Pairs invocations with outcomes. Failed operations drop out (they did not happen); so do reads of
 * unknown outcome, which cannot have changed anything. Operations still open count as unknown.
 */
export function completeOps(events: readonly HistoryEvent[]): CompletedOp[] {
  const invoked = new Map<number, Extract<HistoryEvent, { type: 'invoke' }>>();
  const ops = new Map<number, CompletedOp>();
  for (const e of events) {
    if (e.type === 'invoke') {
      invoked.set(e.opId, e);
      ops.set(e.opId, { opId: e.opId, client: e.client, op: e.op, startMs: e.atMs, endMs: Infinity, result: undefined });
      continue;
    }
    const inv = invoked.get(e.opId);
    if (inv === undefined) throw new Error(`history: outcome for unknown operation ${e.opId}`);
    if (e.type === 'fail') ops.delete(e.opId);
    else if (e.type === 'ok') ops.set(e.opId, { opId: e.opId, client: inv.client, op: inv.op, startMs: inv.atMs, endMs: e.atMs, result: e.result });
  }
  return [...ops.values()].filter((o) => !(o.op.f === 'get' && o.result === undefined));
}
