// Entry sizes for flow control and message limits. The size approximates an entry's encoded size:
// its data plus a fixed allowance for index, term and type, so that a run of empty entries (leader
// no-ops) still counts against the limits.
import type { Entry } from './types.js';

export const ENTRY_OVERHEAD_BYTES = 16;

export function entrySizeBytes(entry: Entry): number {
  return entry.data.byteLength + ENTRY_OVERHEAD_BYTES;
}

export function entriesSizeBytes(entries: readonly Entry[]): number {
  let total = 0;
  for (const e of entries) total += entrySizeBytes(e);
  return total;
}

/** The longest prefix within maxBytes, but always at least one entry so that progress is possible. */
export function limitSize<T extends Entry>(entries: readonly T[], maxBytes: number): T[] {
  let size = 0;
  let n = 0;
  for (const e of entries) {
    size += entrySizeBytes(e);
    if (n > 0 && size > maxBytes) break;
    n++;
  }
  return entries.slice(0, n);
}
