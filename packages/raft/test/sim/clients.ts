// Clients of the replicated key-value store. Each runs one operation at a time against whichever
// node it believes leads, follows "not leader" hints, retries only when an attempt definitely did not
// happen, and gives up at its deadline with an unknown outcome. Every put writes a value no one else
// ever writes, so a read names the write it saw.

import type { NodeId } from '../../src/core/types.js';
import type { History, KvOp } from './history.js';
import type { SimOptions } from './options.js';
import type { Prng } from './prng.js';
import type { ClientReply, ClientRequest } from './sim-node.js';

/** How clients reach nodes; the simulation delays and may lose these messages. */
export interface ClientTransport {
  toNode(node: NodeId, request: ClientRequest): void;
  /** Nodes a client may try: members that have not been removed. */
  candidates(): readonly NodeId[];
}

interface Current {
  readonly opId: number;
  readonly op: KvOp;
  readonly deadlineMs: number;
  /** When to send the next attempt; null while one is in flight. */
  retryAtMs: number | null;
}

interface ClientState {
  readonly id: number;
  leaderGuess: NodeId | null;
  current: Current | null;
  nextInvokeAtMs: number;
  /** The last value this client saw per key: the expectation of its next compare-and-swap. */
  readonly lastSeen: Map<string, string | null>;
  written: number;
}

const RETRY_BACKOFF_MS = 10;

export class Clients {
  private readonly clients: ClientState[] = [];
  /** Operations that finished ok, for the liveness check. */
  okCount = 0;

  constructor(
    private readonly rng: Prng,
    private readonly options: SimOptions,
    private readonly history: History,
    private readonly transport: ClientTransport,
  ) {
    for (let id = 0; id < options.clients; id++)
      this.clients.push({ id, leaderGuess: null, current: null, nextInvokeAtMs: 0, lastSeen: new Map(), written: 0 });
  }

  /** Times out, retries and (when `invoking`) starts operations due at nowMs. */
  step(nowMs: number, invoking: boolean): void {
    for (const c of this.clients) {
      const cur = c.current;
      if (cur !== null && nowMs >= cur.deadlineMs) {
        this.history.info(cur.opId, 'timeout', nowMs);
        c.current = null;
        c.leaderGuess = null;
        c.nextInvokeAtMs = nowMs + this.rng.int(0, this.options.clientPauseMsMax);
      } else if (cur !== null && cur.retryAtMs !== null && nowMs >= cur.retryAtMs) {
        cur.retryAtMs = null;
        this.send(c, cur);
      }
      if (c.current === null && invoking && nowMs >= c.nextInvokeAtMs) this.invoke(c, nowMs);
    }
  }

  onReply(client: number, reply: ClientReply, nowMs: number): void {
    const c = this.clients[client];
    const cur = c?.current;
    if (c === undefined || cur === undefined || cur === null || cur.opId !== reply.opId) return;
    if (reply.kind === 'refused') {
      c.leaderGuess = reply.leader;
      cur.retryAtMs = nowMs + RETRY_BACKOFF_MS;
      return;
    }
    this.history.ok(cur.opId, reply.result, nowMs);
    this.okCount++;
    if (cur.op.f === 'get' && (typeof reply.result === 'string' || reply.result === null)) c.lastSeen.set(cur.op.key, reply.result);
    if (cur.op.f !== 'get' && reply.result !== false) c.lastSeen.set(cur.op.key, cur.op.value);
    c.current = null;
    c.nextInvokeAtMs = nowMs + this.rng.int(0, this.options.clientPauseMsMax);
  }

  /** Whether every client is idle (nothing in flight). */
  idle(): boolean {
    return this.clients.every((c) => c.current === null);
  }

  private invoke(c: ClientState, nowMs: number): void {
    const key = `k${this.rng.int(1, this.options.keys)}`;
    const r = this.rng.next();
    const value = `c${c.id}-${++c.written}`;
    const op: KvOp =
      r < 0.4 ? { f: 'get', key } : r < 0.8 ? { f: 'put', key, value } : { f: 'cas', key, expected: c.lastSeen.get(key) ?? null, value };
    const opId = this.history.invoke(c.id, op, nowMs);
    const cur: Current = { opId, op, deadlineMs: nowMs + this.options.clientTimeoutMs, retryAtMs: null };
    c.current = cur;
    this.send(c, cur);
  }

  private send(c: ClientState, cur: Current): void {
    const candidates = this.transport.candidates();
    const target = c.leaderGuess !== null && candidates.includes(c.leaderGuess) ? c.leaderGuess : this.rng.pick(candidates);
    c.leaderGuess = target;
    this.transport.toNode(target, { client: c.id, opId: cur.opId, op: cur.op });
  }
}
