import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as pb from '@shoal/proto';
import type { Message, MessageType } from '@shoal/raft';
import { fromWire, toWire, WireFormatError } from '../../src/raft/codec.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const meta = { index: 90, term: 4, confState: { voters: ['m1', 'm2', 'm3'], learners: ['m4'] } };
const head = { from: 'm1', to: 'm2', term: 7 };

/** Every variant, with distinct values so that a swapped or dropped field shows. */
const messages: Message[] = [
  {
    ...head, type: 'append', prevIndex: 41, prevTerm: 6, commit: 40,
    entries: [
      { term: 7, index: 42, type: 'normal', data: new Uint8Array() },
      { term: 7, index: 43, type: 'conf-change', data: bytes(1, 2, 3) },
      { term: 7, index: Number.MAX_SAFE_INTEGER, type: 'normal', data: bytes(0, 255) },
    ],
  },
  { ...head, type: 'append', prevIndex: 0, prevTerm: 0, commit: 0, entries: [] },
  { ...head, type: 'append-response', index: 41, reject: true, rejectHintIndex: 30, rejectHintTerm: 5 },
  { ...head, type: 'vote', pre: true, lastIndex: 43, lastTerm: 6, transfer: false },
  { ...head, type: 'vote', pre: false, lastIndex: 43, lastTerm: 6, transfer: true },
  { ...head, type: 'vote-response', pre: true, reject: false },
  { ...head, type: 'vote-response', pre: false, reject: true },
  { ...head, type: 'heartbeat', commit: 43, context: 'read-17' },
  { ...head, type: 'heartbeat', commit: 43, context: null },
  // An empty context is a context, not its absence.
  { ...head, type: 'heartbeat', commit: 43, context: '' },
  { ...head, type: 'heartbeat-response', context: 'read-17' },
  { ...head, type: 'heartbeat-response', context: null },
  { ...head, type: 'snapshot', meta, offset: 65536, totalBytes: 200000, data: bytes(9, 8, 7) },
  { ...head, type: 'snapshot', meta: { index: 1, term: 1, confState: { voters: ['m1'], learners: [] } }, offset: 0, totalBytes: 0, data: new Uint8Array() },
  { ...head, type: 'timeout-now' },
  { ...head, type: 'read-index', context: 'm2/5' },
  { ...head, type: 'read-index-response', context: 'm2/5', index: 44 },
];

function overTheWire(m: Message): Message {
  const encoded = pb.RaftMessageBatch.encode({ messages: [toWire(m)] }).finish();
  const [decoded] = pb.RaftMessageBatch.decode(encoded).messages;
  assert.ok(decoded);
  return fromWire(decoded);
}

test('every raft message variant survives raft → protobuf bytes → raft unchanged', () => {
  const covered = new Set<MessageType>();
  for (const m of messages) {
    covered.add(m.type);
    const back = overTheWire(m);
    // Byte arrays come back as Buffers or subarrays; compare their contents.
    assert.deepEqual(JSON.parse(JSON.stringify(back, plain)), JSON.parse(JSON.stringify(m, plain)), m.type);
    assert.deepEqual(Object.keys(back).sort(), Object.keys(m).sort(), m.type);
  }
  const all: MessageType[] = ['append', 'append-response', 'vote', 'vote-response', 'heartbeat', 'heartbeat-response', 'snapshot', 'timeout-now', 'read-index', 'read-index-response'];
  assert.deepEqual([...covered].sort(), all.sort());
});

function plain(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? { bytes: [...value] } : value;
}

test('a message without a body, a snapshot without metadata or an unknown entry type is a wire-format error', () => {
  assert.throws(() => fromWire({ ...head }), (e: unknown) => e instanceof WireFormatError && e.code === 'wire-format' && /has no body/.test(e.message));
  assert.throws(
    () => fromWire({ ...head, body: { $case: 'snapshot', value: { offset: 0, totalBytes: 0, data: new Uint8Array() } } }),
    (e: unknown) => e instanceof WireFormatError && /no metadata/.test(e.message),
  );
  const entry = { term: 1, index: 1, type: 7 as pb.EntryType, data: new Uint8Array() };
  assert.throws(
    () => fromWire({ ...head, body: { $case: 'append', value: { prevIndex: 0, prevTerm: 0, commit: 0, entries: [entry] } } }),
    (e: unknown) => e instanceof WireFormatError && /unknown entry type 7/.test(e.message),
  );
});
