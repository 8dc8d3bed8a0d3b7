import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppendMessage, Entry, HeartbeatMessage } from '../../src/core/types.js';
import { coalesceAppends } from '../../src/node/coalesce.js';
import { entrySizeBytes } from '../../src/core/entry-size.js';

function entry(index: number, term = 2): Entry {
  return { index, term, type: 'normal', data: new Uint8Array(10) };
}

function append(to: string, prevIndex: number, indexes: number[], commit: number): AppendMessage {
  return { type: 'append', from: 'a', to, term: 2, prevIndex, prevTerm: 2, entries: indexes.map((i) => entry(i)), commit };
}

const heartbeat: HeartbeatMessage = { type: 'heartbeat', from: 'a', to: 'b', term: 2, commit: 3, context: null };

test('appends that continue one another are merged into one per follower', () => {
  const out = coalesceAppends([append('b', 3, [4], 3), append('c', 3, [4], 3), append('b', 4, [5], 3), append('b', 5, [], 5), append('c', 4, [5], 4)], 1 << 20);
  assert.deepEqual(out, [
    { ...append('b', 3, [4, 5], 5) },
    { ...append('c', 3, [4, 5], 4) },
  ]);
});

test('appends that do not continue the previous message, or follow another message, are kept apart', () => {
  const gap = [append('b', 3, [4], 3), append('b', 7, [8], 3)];
  assert.deepEqual(coalesceAppends(gap, 1 << 20), gap);
  const interleaved = [append('b', 3, [4], 3), heartbeat, append('b', 4, [5], 3)];
  assert.deepEqual(coalesceAppends(interleaved, 1 << 20), interleaved);
  const otherTerm = [append('b', 3, [4], 3), { ...append('b', 4, [5], 3), term: 3 }];
  assert.deepEqual(coalesceAppends(otherTerm, 1 << 20), otherTerm);
});

test('merging stops at the byte limit of one append', () => {
  const msgs = [append('b', 3, [4], 3), append('b', 4, [5], 3), append('b', 5, [6], 3)];
  const out = coalesceAppends(msgs, 2 * entrySizeBytes(entry(4)));
  assert.equal(out.length, 2);
  assert.deepEqual((out[0] as AppendMessage).entries.map((e) => e.index), [4, 5]);
  assert.deepEqual((out[1] as AppendMessage).entries.map((e) => e.index), [6]);
});
