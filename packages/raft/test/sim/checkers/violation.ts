// A broken Raft invariant. It is thrown, not returned: a simulation must stop at the first step
// that breaks safety, so the seed and the step number point straight at the bug.

export type InvariantName =
  | 'election-safety'
  | 'log-matching'
  | 'leader-completeness'
  | 'state-machine-safety'
  | 'commit-monotonic';

export class InvariantViolation extends Error {
  readonly code = 'INVARIANT_VIOLATION';
  constructor(
    readonly invariant: InvariantName,
    detail: string,
  ) {
    super(`${invariant}: ${detail}`);
    this.name = 'InvariantViolation';
  }
}

/** FNV-1a over bytes, continuing from `seed`; used to compare entries and applied prefixes cheaply. */
export function fnv1a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** An entry's identity for comparisons across nodes: its term and a digest of its payload. */
export function entryDigest(entry: { readonly term: number; readonly type: string; readonly data: Uint8Array }): string {
  return `${entry.term}:${entry.type}:${fnv1a(entry.data).toString(16)}`;
}
