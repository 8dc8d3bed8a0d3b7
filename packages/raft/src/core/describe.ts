// One-line descriptions of protocol data, for logs, scenario traces and simulator reports.
import { decodeConfChange } from './confchange-codec.js';
import type { ConfState, Entry, HardState, Message, Ready, Snapshot, SoftState } from './types.js';
import { utf8Decode } from './utf8.js';

function describeData(data: Uint8Array): string {
  if (data.byteLength === 0) return '';
  const text = utf8Decode(data);
  // eslint-disable-next-line no-control-regex
  if (text !== null && !/[\u0000-\u001f]/.test(text) && text.length <= 64) return ` ${JSON.stringify(text)}`;
  return ` (${data.byteLength} bytes)`;
}

export function describeEntry(e: Entry): string {
  if (e.type === 'conf-change') {
    try {
      const cc = decodeConfChange(e.data);
      return `${e.term}/${e.index} conf-change ${cc.type} ${cc.nodeId}`;
    } catch {
      return `${e.term}/${e.index} conf-change (invalid${describeData(e.data)})`;
    }
  }
  return `${e.term}/${e.index} normal${describeData(e.data)}`;
}

export function describeConfState(cs: ConfState): string {
  return `Voters:[${cs.voters.join(' ')}] Learners:[${cs.learners.join(' ')}]`;
}

export function describeSnapshot(s: Snapshot): string {
  return `Index:${s.meta.index} Term:${s.meta.term} ${describeConfState(s.meta.confState)}${describeData(s.data)}`;
}

export function describeHardState(hs: HardState): string {
  return `Term:${hs.term} Vote:${hs.vote ?? '-'} Commit:${hs.commit}`;
}

export function describeSoftState(ss: SoftState): string {
  return `Role:${ss.role} Lead:${ss.leader ?? '-'}`;
}

function describeBody(m: Message): string {
  switch (m.type) {
    case 'append': {
      const ents = m.entries.length === 0 ? '' : ` Entries:[${m.entries.map(describeEntry).join(', ')}]`;
      return `Log:${m.prevTerm}/${m.prevIndex} Commit:${m.commit}${ents}`;
    }
    case 'append-response':
      return m.reject ? `Index:${m.index} Rejected (Hint: ${m.rejectHintTerm}/${m.rejectHintIndex})` : `Index:${m.index}`;
    case 'vote':
      return `Log:${m.lastTerm}/${m.lastIndex}${m.transfer ? ' Transfer' : ''}`;
    case 'vote-response':
      return m.reject ? 'Rejected' : 'Granted';
    case 'heartbeat':
      return `Commit:${m.commit}${m.context === null ? '' : ` Context:${JSON.stringify(m.context)}`}`;
    case 'heartbeat-response':
      return m.context === null ? '' : `Context:${JSON.stringify(m.context)}`;
    case 'snapshot':
      return `Snapshot[Index:${m.meta.index} Term:${m.meta.term} ${describeConfState(m.meta.confState)}] ` +
        `Chunk:${m.offset}+${m.data.byteLength}/${m.totalBytes}`;
    case 'timeout-now':
      return '';
    case 'read-index':
      return `Context:${JSON.stringify(m.context)}`;
    case 'read-index-response':
      return `Context:${JSON.stringify(m.context)} Index:${m.index}`;
  }
}

export function describeMessage(m: Message): string {
  const pre = (m.type === 'vote' || m.type === 'vote-response') && m.pre ? 'pre-' : '';
  const body = describeBody(m);
  return `${m.from}->${m.to} ${pre}${m.type} Term:${m.term}${body === '' ? '' : ` ${body}`}`;
}

export function describeReady(rd: Ready): string {
  const lines = [`Ready MustSync=${rd.mustSync}:`];
  if (rd.softState !== null) lines.push(describeSoftState(rd.softState));
  if (rd.hardState !== null) lines.push(`HardState ${describeHardState(rd.hardState)}`);
  if (rd.entries.length > 0) lines.push('Entries:', ...rd.entries.map(describeEntry));
  if (rd.snapshot !== null) lines.push(`Snapshot ${describeSnapshot(rd.snapshot)}`);
  if (rd.committedEntries.length > 0) lines.push('CommittedEntries:', ...rd.committedEntries.map(describeEntry));
  if (rd.messages.length > 0) lines.push('Messages:', ...rd.messages.map(describeMessage));
  if (rd.readStates.length > 0) lines.push('ReadStates:', ...rd.readStates.map((rs) => `${JSON.stringify(rs.context)} at ${rs.index}`));
  return lines.join('\n');
}
