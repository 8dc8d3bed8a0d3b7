// The client history of a fault run and what it allows at the end. Each key (a network or service name)
// belongs to one client, which uses it sequentially, so the history of a key is a sequence. After an
// operation of unknown outcome the key may end in the state before it or after it, and in no other,
// until the client settles it: a removal acknowledged (or refused as not found) long enough after the
// unknown operation that it can no longer land (see Client.reap in workload.ts) leaves it absent.
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
  /** The states that operations of unknown outcome on the key would leave (any of them may still land). */
  maybe: KeyState[];
  /** When the last operation of unknown outcome ended. */
  maybeSinceMs?: number;
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
    if (!this.#keys.has(op.key)) this.#keys.set(op.key, { kind: op.kind, state: ABSENT, maybe: [] });
    return record;
  }

  complete(record: OpRecord, outcome: Outcome, detail: string): void {
    record.endMs = this.now();
    record.outcome = outcome;
    record.detail = detail;
    const key = this.#keys.get(record.key);
    if (key === undefined) throw new Error(`no history for ${record.key}`);
    if (outcome === 'ok') key.state = record.after;
    if (outcome === 'unknown') {
      key.maybe.push(record.after);
      key.maybeSinceMs = record.endMs;
    }
  }

  /**
   * A removal that settles an ambiguous key: acknowledged, or refused because the key does not exist.
   * Only valid once the unknown operation can no longer land (the caller waited it out).
   */
  settleAbsent(record: OpRecord): void {
    const key = this.#keys.get(record.key);
    if (key === undefined) throw new Error(`no history for ${record.key}`);
    key.state = ABSENT;
    key.maybe = [];
    delete key.maybeSinceMs;
  }

  /** Whether the owning client may still operate on the key. */
  usable(key: string): boolean {
    return (this.#keys.get(key)?.maybe.length ?? 0) === 0;
  }

  /** How long ago the key's operation of unknown outcome ended; undefined when the key is not ambiguous. */
  ambiguousForMs(key: string): number | undefined {
    const since = this.#keys.get(key)?.maybeSinceMs;
    return since === undefined ? undefined : this.now() - since;
  }

  state(key: string): KeyState {
    return this.#keys.get(key)?.state ?? ABSENT;
  }

  /** Every key with the final states its history allows. */
  allowed(): { key: string; kind: KeyKind; states: KeyState[] }[] {
    return [...this.#keys].map(([key, h]) => ({ key, kind: h.kind, states: [h.state, ...h.maybe] }));
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
