import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { EntryType, MsgAppend, RaftMessage, RaftMessageBatch } from '../src/index.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

const snapshotMeta = { index: 90, term: 4, confState: { voters: ['m1', 'm2', 'm3'], learners: ['m4'] } };

/** One message of every variant, with values that would expose a swapped or dropped field. */
const variants: RaftMessage[] = [
  {
    from: 'm1', to: 'm2', term: 7,
    body: {
      $case: 'append',
      value: {
        prevIndex: 41, prevTerm: 6, commit: 40,
        entries: [
          { term: 7, index: 42, type: EntryType.NORMAL, data: new Uint8Array() },
          { term: 7, index: 43, type: EntryType.CONF_CHANGE, data: bytes(1, 2, 3) },
          // Terms and indices are numbers on the JavaScript side; the largest safe one must survive.
          { term: 7, index: Number.MAX_SAFE_INTEGER, type: EntryType.NORMAL, data: bytes(0, 255) },
        ],
      },
    },
  },
  {
    from: 'm2', to: 'm1', term: 7,
    body: { $case: 'appendResponse', value: { index: 41, reject: true, rejectHintIndex: 30, rejectHintTerm: 5 } },
  },
  { from: 'm3', to: 'm1', term: 8, body: { $case: 'vote', value: { pre: true, lastIndex: 43, lastTerm: 7, transfer: false } } },
  { from: 'm3', to: 'm1', term: 8, body: { $case: 'vote', value: { pre: false, lastIndex: 43, lastTerm: 7, transfer: true } } },
  { from: 'm1', to: 'm3', term: 8, body: { $case: 'voteResponse', value: { pre: true, reject: false } } },
  { from: 'm1', to: 'm2', term: 7, body: { $case: 'heartbeat', value: { commit: 43, context: 'read-17' } } },
  { from: 'm1', to: 'm2', term: 7, body: { $case: 'heartbeat', value: { commit: 43, context: undefined } } },
  { from: 'm2', to: 'm1', term: 7, body: { $case: 'heartbeatResponse', value: { context: 'read-17' } } },
  { from: 'm2', to: 'm1', term: 7, body: { $case: 'heartbeatResponse', value: { context: undefined } } },
  {
    from: 'm1', to: 'm4', term: 7,
    body: { $case: 'snapshot', value: { meta: snapshotMeta, offset: 65536, totalBytes: 200000, data: bytes(9, 8, 7) } },
  },
  { from: 'm1', to: 'm2', term: 7, body: { $case: 'timeoutNow', value: {} } },
  { from: 'm2', to: 'm1', term: 7, body: { $case: 'readIndex', value: { context: 'read-18' } } },
  { from: 'm1', to: 'm2', term: 7, body: { $case: 'readIndexResponse', value: { context: 'read-18', index: 0 } } },
];

const roundTrip = (message: RaftMessage): RaftMessage => RaftMessage.decode(RaftMessage.encode(message).finish());

test('every RaftMessage variant survives binary encode and decode unchanged', () => {
  const cases = new Set(variants.map((m) => m.body?.$case));
  assert.equal(cases.size, 10, 'the fixture covers all ten raft message types');
  for (const message of variants) {
    assert.deepEqual(roundTrip(message), message, `variant ${message.body?.$case}`);
  }
});

test('a heartbeat context distinguishes absent (null) from the empty string', () => {
  const absent = roundTrip({ from: 'a', to: 'b', term: 1, body: { $case: 'heartbeat', value: { commit: 0 } } });
  const empty = roundTrip({ from: 'a', to: 'b', term: 1, body: { $case: 'heartbeat', value: { commit: 0, context: '' } } });
  assert.equal(absent.body?.$case === 'heartbeat' && absent.body.value.context, undefined);
  assert.equal(empty.body?.$case === 'heartbeat' && empty.body.value.context, '');
});

test('a batch keeps its messages in order', () => {
  const batch = RaftMessageBatch.decode(RaftMessageBatch.encode({ messages: variants }).finish());
  assert.deepEqual(batch.messages.map((m) => m.body?.$case), variants.map((m) => m.body?.$case));
});

test('the wire bytes of a message are stable (field numbers are the contract between versions)', () => {
  const message: RaftMessage = {
    from: 'a', to: 'b', term: 2,
    body: { $case: 'append', value: { prevIndex: 3, prevTerm: 1, commit: 2, entries: [{ term: 2, index: 4, type: EntryType.CONF_CHANGE, data: bytes(5) }] } },
  };
  assert.equal(
    Buffer.from(RaftMessage.encode(message).finish()).toString('hex'),
    // from "a", to "b", term 2, append{prev_index 3, prev_term 1, entries[{term 2, index 4, CONF_CHANGE, [5]}], commit 2}
    '0a0161' + '120162' + '1802' + '5211' + '0803' + '1001' + '1a09' + '080210041801220105' + '2002',
  );
});

test('a term or index beyond 2^53 is refused on decode instead of silently rounded', () => {
  const wire = new BinaryWriter().uint32(8).uint64(2n ** 60n).finish(); // MsgAppend.prev_index = 2^60
  assert.throws(() => MsgAppend.decode(wire), /MAX_SAFE_INTEGER|safe/i);
});
