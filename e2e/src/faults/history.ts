// The client history of a fault run and what it allows at the end. Each key (a network or service name)
// belongs to one client, which uses it sequentially, so the history of a key is a sequence. After an
// operation of unknown outcome the client never touches that key again: the operation may still land
// later, so the key may end in the state before it or after it, and in no other.
import type { Outcome } from './engine.js';

export type KeyKind = 'network' | 'service';

/** What a key holds: absent, or present with the spec fields the checker compares. */
export type KeyState = { readonly present: false } | { readonly present: true; readonly labels: Readonly<Record<string, string>>; readonly replicas?: number };

export const ABSENT: KeyState = { present: false };

export interface OpRecord {
  readonly id: number;
  readonly client: number;
  readonly kind: KeyKind;
  readonly key: string;
  readonly action: 'create' | 'remove' | 'scale';
  /** Host whose socket carried the call. */
  readonly via: string;
  readonly invokeMs: number;
  endMs: number;
  outcome: Outcome | 'pending';
  detail: string;
  /** The state the key is in if this operation was applied. */
  readonly after: KeyState;
}

interface KeyHistory {
  readonly kind: KeyKind;
  /** The state after the last acknowledged operation. */
  state: KeyState;
  /** Set once an operation on the key has an unknown outcome: the state it would leave. */
  maybe?: KeyState;
}

export class History {
  readonly ops: OpRecord[] = [];
  readonly #keys = new Map<string, KeyHistory>();
  readonly #t0 = Date.now();

  now(): number {
    return Date.now() - this.#t0;
  }

  invoke(op: Omit<OpRecord, 'id' | 'invokeMs' | 'endMs' | 'outcome' | 'detail'>): OpRecord {
    const record: OpRecord = { ...op, id: this.ops.length + 1, invokeMs: this.now(), endMs: -1, outcome: 'pending', detail: '' };
    this.ops.push(record);
    if (!this.#keys.has(op.key)) this.#keys.set(op.key, { kind: op.kind, state: ABSENT });
    return record;
  }

  complete(record: OpRecord, outcome: Outcome, detail: string): void {
    record.endMs = this.now();
    record.outcome = outcome;
    record.detail = detail;
    const key = this.#keys.get(record.key);
    if (key === undefined) throw new Error(`no history for ${record.key}`);
    if (outcome === 'ok') key.state = record.after;
    if (outcome === 'unknown') key.maybe = record.after;
  }

  /** Whether the owning client may still operate on the key. */
  usable(key: string): boolean {
    return this.#keys.get(key)?.maybe === undefined;
  }

  state(key: string): KeyState {
    return this.#keys.get(key)?.state ?? ABSENT;
  }

  /** Every key with the final states its history allows. */
  allowed(): { key: string; kind: KeyKind; states: KeyState[] }[] {
    return [...this.#keys].map(([key, h]) => ({ key, kind: h.kind, states: h.maybe === undefined ? [h.state] : [h.state, h.maybe] }));
  }

  counts(): Record<Outcome, number> {
    const counts = { ok: 0, fail: 0, unknown: 0 };
    for (const op of this.ops) if (op.outcome !== 'pending') counts[op.outcome]++;
    return counts;
  }
}

export function sameState(a: KeyState, b: KeyState): boolean {
  if (!a.present || !b.present) return a.present === b.present;
  return JSON.stringify(sortedLabels(a.labels)) === JSON.stringify(sortedLabels(b.labels)) && a.replicas === b.replicas;
}

function sortedLabels(labels: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(labels).sort(([x], [y]) => x.localeCompare(y));
}

export function describeState(s: KeyState): string {
  return s.present ? `present ${JSON.stringify(s.labels)}${s.replicas === undefined ? '' : ` replicas=${s.replicas}`}` : 'absent';
}
