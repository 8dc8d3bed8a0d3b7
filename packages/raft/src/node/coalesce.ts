// The core sends one append per proposal it replicates, so a Ready holding a burst of proposals
// carries dozens of appends to each follower, each answered separately. Appends to the same follower
// that continue one another are merged into the single append the leader would have sent for the
// whole batch: one message, one follower step, one acknowledgement (which frees the leader's
// in-flight slots for all of them, as acknowledgements are cumulative).
import type { AppendMessage, Message } from '../core/types.js';
import { entrySizeBytes } from '../core/entry-size.js';

function lastPosition(m: AppendMessage): { index: number; term: number } {
  const last = m.entries[m.entries.length - 1];
  return last === undefined ? { index: m.prevIndex, term: m.prevTerm } : { index: last.index, term: last.term };
}

function bytesOf(m: AppendMessage): number {
  let total = 0;
  for (const e of m.entries) total += entrySizeBytes(e);
  return total;
}

/** Merges appends that continue the previous message to the same member; keeps every other message and the order per member. */
export function coalesceAppends(messages: readonly Message[], maxBytes: number): readonly Message[] {
  if (messages.length < 2) return messages;
  const out: Message[] = [];
  /** Per destination: position in `out` of the latest message, and that append's size if it is one. */
  const latest = new Map<string, { at: number; bytes: number }>();
  for (const m of messages) {
    const prev = latest.get(m.to);
    const before = prev === undefined ? undefined : out[prev.at];
    if (m.type === 'append' && before?.type === 'append' && prev !== undefined && before.term === m.term && before.from === m.from) {
      const end = lastPosition(before);
      const bytes = prev.bytes + bytesOf(m);
      if (end.index === m.prevIndex && end.term === m.prevTerm && bytes <= maxBytes) {
        out[prev.at] = { ...before, entries: [...before.entries, ...m.entries], commit: Math.max(before.commit, m.commit) };
        prev.bytes = bytes;
        continue;
      }
    }
    latest.set(m.to, { at: out.length, bytes: m.type === 'append' ? bytesOf(m) : 0 });
    out.push(m);
  }
  return out;
}
