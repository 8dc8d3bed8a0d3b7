// The replicated state machine the clients drive: a string key-value map with put and
// compare-and-swap (reads go through ReadIndex, not the log). It also keeps a rolling digest of
// every entry it applied, which snapshots carry, so State Machine Safety can compare applied
// prefixes between nodes without keeping whole logs around.

import type { Entry, Index } from '../../src/core/types.js';
import { fnv1a } from './checkers/index.js';

export type Command =
  | { readonly opId: number; readonly f: 'put'; readonly key: string; readonly value: string }
  | { readonly opId: number; readonly f: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommand(c: Command): Uint8Array {
  return encoder.encode(JSON.stringify(c));
}

function decodeCommand(data: Uint8Array): Command {
  return JSON.parse(decoder.decode(data)) as Command;
}

interface KvSnapshot {
  readonly pairs: [string, string][];
  readonly applied: Index;
  readonly digest: number;
}

/** The digest of the bootstrap snapshot every founding member starts from. */
const BOOT_DIGEST = 0x811c9dc5;

export class KvStore {
  private readonly data = new Map<string, string>();
  applied: Index = 0;
  /** Rolling digest over every entry applied so far (and what the restored snapshot covered). */
  digest = BOOT_DIGEST;

  static fromSnapshot(bytes: Uint8Array): KvStore {
    const kv = new KvStore();
    if (bytes.byteLength === 0) return kv;
    const s = JSON.parse(decoder.decode(bytes)) as KvSnapshot;
    for (const [k, v] of s.pairs) kv.data.set(k, v);
    kv.applied = s.applied;
    kv.digest = s.digest;
    return kv;
  }

  /** An empty store at `index`, as the founding members' bootstrap snapshot holds it. */
  static bootSnapshot(index: Index): Uint8Array {
    const s: KvSnapshot = { pairs: [], applied: index, digest: BOOT_DIGEST };
    return encoder.encode(JSON.stringify(s));
  }

  snapshot(): Uint8Array {
    const s: KvSnapshot = { pairs: [...this.data].sort(([a], [b]) => (a < b ? -1 : 1)), applied: this.applied, digest: this.digest };
    return encoder.encode(JSON.stringify(s));
  }

  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /**
   * Applies one committed entry. Returns the command and its result for a client command;
   * null for the leader's no-op and membership changes (which the caller handles).
   */
  apply(entry: Entry): { command: Command; result: boolean | null } | null {
    this.applied = entry.index;
    this.digest = fnv1a(entry.data, fnv1a(encoder.encode(`${entry.index}/${entry.term}/${entry.type}`), this.digest));
    if (entry.type !== 'normal' || entry.data.byteLength === 0) return null;
    const command = decodeCommand(entry.data);
    if (command.f === 'put') {
      this.data.set(command.key, command.value);
      return { command, result: null };
    }
    const swaps = this.get(command.key) === command.expected;
    if (swaps) this.data.set(command.key, command.value);
    return { command, result: swaps };
  }
}
