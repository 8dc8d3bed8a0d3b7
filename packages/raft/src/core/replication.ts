// Leader side of sending: appends (pipelined, flow controlled), snapshots and heartbeats.
import { entriesSizeBytes } from './entry-size.js';
import { CompactedError, invariant } from './errors.js';
import type { Progress } from './progress.js';
import type { Raft } from './raft.js';
import { splitSnapshot } from './snapshot-chunks.js';
import type { Entry, NodeId } from './types.js';

/**
 * Sends the follower the entries it needs next, if flow control allows. With sendIfEmpty false an
 * append without entries (just to carry the commit index) is not worth a message. Falls back to a
 * snapshot when the entries are compacted. Returns whether something was sent.
 */
export function sendAppend(r: Raft, to: NodeId, sendIfEmpty = true): boolean {
  const pr = r.tracker.progress.get(to);
  if (pr === undefined || pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  const prevTerm = r.log.term(prevIndex);
  if (prevTerm === null) return sendSnapshot(r, to, pr);
  let entries: Entry[] = [];
  // A full window still gets an empty append: its answer clears the window if every append in it was lost.
  if (pr.state !== 'replicate' || !pr.inflights.full()) {
    try {
      entries = r.log.entriesFrom(pr.next, r.cfg.maxSizePerMsgBytes);
    } catch (err) {
      if (err instanceof CompactedError) return sendSnapshot(r, to, pr);
      throw err;
    }
  }
  if (entries.length === 0 && !sendIfEmpty) return false;
  r.send({ type: 'append', to, term: r.term, prevIndex, prevTerm, entries, commit: r.log.committed });
  pr.sentEntries(entries.length, entriesSizeBytes(entries));
  pr.sentCommit = r.log.committed;
  return true;
}

function sendSnapshot(r: Raft, to: NodeId, pr: Progress): boolean {
  // A follower we have not heard from lately may be down: do not spend a snapshot on it yet.
  if (!pr.recentActive) return false;
  const snap = r.log.snapshot();
  invariant(snap.meta.index > 0 && snap.meta.index >= r.log.firstIndex() - 1, () =>
    `storage compacted to ${r.log.firstIndex() - 1} without a snapshot covering it (snapshot at ${snap.meta.index})`);
  pr.becomeSnapshot(snap.meta.index);
  const chunks = splitSnapshot(snap, r.cfg.maxSnapshotChunkBytes);
  r.logger.info(`${r.id} sent snapshot [index: ${snap.meta.index}, term: ${snap.meta.term}] to ${to} in ${chunks.length} chunk(s)`);
  for (const chunk of chunks) r.send({ type: 'snapshot', to, term: r.term, ...chunk });
  return true;
}

export function bcastAppend(r: Raft): void {
  for (const id of r.tracker.memberIds()) if (id !== r.id) sendAppend(r, id);
}

/** Heartbeats also carry the newest pending read's context, confirming leadership for it. */
export function bcastHeartbeat(r: Raft, context: string | null): void {
  for (const id of r.tracker.memberIds()) {
    if (id === r.id) continue;
    const pr = r.tracker.progress.get(id)!;
    // Never tell a follower to commit past what it is known to have.
    const commit = Math.min(pr.match, r.log.committed);
    r.send({ type: 'heartbeat', to: id, term: r.term, commit, context });
    pr.sentCommit = Math.max(pr.sentCommit, commit);
  }
}

export function sendTimeoutNow(r: Raft, to: NodeId): void {
  r.send({ type: 'timeout-now', to, term: r.term });
}
