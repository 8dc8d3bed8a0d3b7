// Follower side of replication: appends, heartbeats and snapshot installation (Raft §5.3, §7).
import type { Raft } from './raft.js';
import { hup } from './election.js';
import { SnapshotAssembly } from './snapshot-chunks.js';
import type { AppendMessage, HeartbeatMessage, Message, NodeId, Snapshot, SnapshotChunkMessage } from './types.js';

export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case 'append':
      heardFromLeader(r, m.from);
      handleAppend(r, m);
      return;
    case 'heartbeat':
      heardFromLeader(r, m.from);
      handleHeartbeat(r, m);
      return;
    case 'snapshot':
      heardFromLeader(r, m.from);
      handleSnapshotChunk(r, m);
      return;
    case 'timeout-now':
      r.logger.info(`${r.id} received timeout-now from ${m.from} and starts an election to take over leadership`);
      hup(r, 'transfer');
      return;
    case 'read-index-response':
      if (m.index > 0) r.readStates.push({ context: m.context, index: m.index });
      return;
    case 'read-index':
      // We were leader when the reader asked; it will time out and ask the new leader.
      return;
    default:
      return;
  }
}

function heardFromLeader(r: Raft, leader: NodeId): void {
  r.electionElapsed = 0;
  r.lead = leader;
}

export function handleAppend(r: Raft, m: AppendMessage): void {
  const reply = { type: 'append-response', to: m.from, term: r.term, reject: false, rejectHintIndex: 0, rejectHintTerm: 0 } as const;
  if (m.prevIndex < r.log.committed) {
    r.send({ ...reply, index: r.log.committed });
    return;
  }
  const lastNew = r.log.maybeAppend(m.prevIndex, m.prevTerm, m.commit, m.entries);
  if (lastNew !== null) {
    r.send({ ...reply, index: lastNew });
    return;
  }
  // Hint the highest (index, term) that may match: an entry at or below prevIndex whose term is
  // <= prevTerm. The leader skips our whole conflicting tail instead of probing index by index.
  const [hintIndex, hintTerm] = r.log.findConflictByTerm(Math.min(m.prevIndex, r.log.lastIndex()), m.prevTerm);
  r.logger.info(`${r.id} [logterm: ${r.log.term(m.prevIndex) ?? 0}, index: ${m.prevIndex}] rejected append ` +
    `[logterm: ${m.prevTerm}, index: ${m.prevIndex}] from ${m.from}`);
  r.send({ ...reply, index: m.prevIndex, reject: true, rejectHintIndex: hintIndex, rejectHintTerm: hintTerm });
}

export function handleHeartbeat(r: Raft, m: HeartbeatMessage): void {
  r.log.commitTo(m.commit);
  r.send({ type: 'heartbeat-response', to: m.from, term: r.term, context: m.context });
}

export function handleSnapshotChunk(r: Raft, m: SnapshotChunkMessage): void {
  const current = r.incomingSnapshot;
  const assembly = current !== null && current.accepts(m.from, m) ? current : SnapshotAssembly.start(m.from, m);
  if (assembly === null) {
    r.logger.warn(`${r.id} dropped snapshot chunk at offset ${m.offset} from ${m.from}: a chunk before it is missing`);
    r.incomingSnapshot = null;
    return;
  }
  assembly.add(m);
  if (!assembly.complete()) {
    r.incomingSnapshot = assembly;
    return;
  }
  r.incomingSnapshot = null;
  installSnapshot(r, m.from, assembly.snapshot());
}

function installSnapshot(r: Raft, from: NodeId, snap: Snapshot): void {
  const reply = { type: 'append-response', to: from, term: r.term, reject: false, rejectHintIndex: 0, rejectHintTerm: 0 } as const;
  const { index, term } = snap.meta;
  if (index <= r.log.committed) {
    r.logger.info(`${r.id} ignored snapshot [index: ${index}, term: ${term}]: already committed ${r.log.committed}`);
  } else if (r.log.matchTerm(index, term)) {
    // We have the snapshot's last entry: no need to drop our log, just learn the commit.
    r.log.commitTo(index);
  } else {
    r.log.restore(snap);
    r.loadConfState(snap.meta.confState);
    r.logger.info(`${r.id} restored snapshot [index: ${index}, term: ${term}]`);
    r.send({ ...reply, index: r.log.lastIndex() });
    return;
  }
  r.send({ ...reply, index: r.log.committed });
}
