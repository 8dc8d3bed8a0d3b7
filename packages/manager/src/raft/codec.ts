// Raft messages on the wire: the raft library's plain-data messages to and from shoal.v1.RaftMessage.
import type { Entry, Message, SnapshotMeta } from '@shoal/raft';
import * as pb from '@shoal/proto';

export function toWire(m: Message): pb.RaftMessage {
  const head = { from: m.from, to: m.to, term: m.term };
  switch (m.type) {
    case 'append':
      return { ...head, body: { $case: 'append', value: { prevIndex: m.prevIndex, prevTerm: m.prevTerm, entries: m.entries.map(entryToWire), commit: m.commit } } };
    case 'append-response':
      return { ...head, body: { $case: 'appendResponse', value: { index: m.index, reject: m.reject, rejectHintIndex: m.rejectHintIndex, rejectHintTerm: m.rejectHintTerm } } };
    case 'vote':
      return { ...head, body: { $case: 'vote', value: { pre: m.pre, lastIndex: m.lastIndex, lastTerm: m.lastTerm, transfer: m.transfer } } };
    case 'vote-response':
      return { ...head, body: { $case: 'voteResponse', value: { pre: m.pre, reject: m.reject } } };
    case 'heartbeat':
      return { ...head, body: { $case: 'heartbeat', value: { commit: m.commit, ...(m.context === null ? {} : { context: m.context }) } } };
    case 'heartbeat-response':
      return { ...head, body: { $case: 'heartbeatResponse', value: m.context === null ? {} : { context: m.context } } };
    case 'snapshot':
      return { ...head, body: { $case: 'snapshot', value: { meta: metaToWire(m.meta), offset: m.offset, totalBytes: m.totalBytes, data: m.data } } };
    case 'timeout-now':
      return { ...head, body: { $case: 'timeoutNow', value: {} } };
    case 'read-index':
      return { ...head, body: { $case: 'readIndex', value: { context: m.context } } };
    case 'read-index-response':
      return { ...head, body: { $case: 'readIndexResponse', value: { context: m.context, index: m.index } } };
  }
}

export class WireFormatError extends Error {
  readonly code = 'wire-format';
}

export function fromWire(w: pb.RaftMessage): Message {
  const head = { from: w.from, to: w.to, term: w.term };
  const body = w.body;
  if (!body) throw new WireFormatError(`raft message from ${w.from} has no body`);
  switch (body.$case) {
    case 'append':
      return { ...head, type: 'append', prevIndex: body.value.prevIndex, prevTerm: body.value.prevTerm, entries: body.value.entries.map(entryFromWire), commit: body.value.commit };
    case 'appendResponse':
      return { ...head, type: 'append-response', ...body.value };
    case 'vote':
      return { ...head, type: 'vote', ...body.value };
    case 'voteResponse':
      return { ...head, type: 'vote-response', ...body.value };
    case 'heartbeat':
      return { ...head, type: 'heartbeat', commit: body.value.commit, context: body.value.context ?? null };
    case 'heartbeatResponse':
      return { ...head, type: 'heartbeat-response', context: body.value.context ?? null };
    case 'snapshot': {
      const meta = body.value.meta;
      if (!meta) throw new WireFormatError(`snapshot chunk from ${w.from} has no metadata`);
      return { ...head, type: 'snapshot', meta: metaFromWire(meta), offset: body.value.offset, totalBytes: body.value.totalBytes, data: body.value.data };
    }
    case 'timeoutNow':
      return { ...head, type: 'timeout-now' };
    case 'readIndex':
      return { ...head, type: 'read-index', context: body.value.context };
    case 'readIndexResponse':
      return { ...head, type: 'read-index-response', context: body.value.context, index: body.value.index };
  }
}

function entryToWire(e: Entry): pb.Entry {
  return { term: e.term, index: e.index, type: e.type === 'normal' ? pb.EntryType.NORMAL : pb.EntryType.CONF_CHANGE, data: e.data };
}

function entryFromWire(e: pb.Entry): Entry {
  if (e.type !== pb.EntryType.NORMAL && e.type !== pb.EntryType.CONF_CHANGE) throw new WireFormatError(`unknown entry type ${e.type}`);
  return { term: e.term, index: e.index, type: e.type === pb.EntryType.NORMAL ? 'normal' : 'conf-change', data: e.data };
}

function metaToWire(m: SnapshotMeta): pb.SnapshotMeta {
  return { index: m.index, term: m.term, confState: { voters: [...m.confState.voters], learners: [...m.confState.learners] } };
}

function metaFromWire(m: pb.SnapshotMeta): SnapshotMeta {
  return { index: m.index, term: m.term, confState: { voters: m.confState?.voters ?? [], learners: m.confState?.learners ?? [] } };
}
