import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CompactedError, SnapshotOutOfDateError, UnavailableError } from '../../src/core/errors.js';
import { MemoryStorage } from '../../src/core/storage.js';
import type { Entry } from '../../src/core/types.js';

function ent(index: number, term: number, data = ''): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(data) };
}

function storageWith(...terms: number[]): MemoryStorage {
  const s = new MemoryStorage();
  s.append(terms.map((t, i) => ent(i + 1, t)));
  return s;
}

describe('MemoryStorage', () => {
  test('an empty storage has first index 1, last index 0 and term 0 at index 0', () => {
    const s = new MemoryStorage();
    assert.equal(s.firstIndex(), 1);
    assert.equal(s.lastIndex(), 0);
    assert.equal(s.term(0), 0);
    assert.throws(() => s.term(1), UnavailableError);
  });

  test('append replaces a conflicting suffix and keeps the prefix', () => {
    const s = storageWith(1, 1, 1);
    s.append([ent(2, 2), ent(3, 2), ent(4, 2)]);
    assert.deepEqual([1, 2, 3, 4].map((i) => s.term(i)), [1, 2, 2, 2]);
    s.append([ent(3, 3)]);
    assert.equal(s.lastIndex(), 3);
    assert.equal(s.term(3), 3);
  });

  test('append refuses to leave a gap', () => {
    const s = storageWith(1);
    assert.throws(() => s.append([ent(3, 1)]), { code: 'RAFT_INVARIANT' });
  });

  test('entries returns [lo, hi) bounded by size but always at least one entry', () => {
    const s = new MemoryStorage();
    s.append([ent(1, 1, 'aaaa'), ent(2, 1, 'bbbb'), ent(3, 1, 'cccc')]);
    assert.deepEqual(s.entries(1, 4, Infinity).map((e) => e.index), [1, 2, 3]);
    assert.deepEqual(s.entries(1, 4, 0).map((e) => e.index), [1]);
    assert.deepEqual(s.entries(1, 4, 40).map((e) => e.index), [1, 2]);
    assert.deepEqual(s.entries(2, 3, Infinity).map((e) => e.index), [2]);
    assert.throws(() => s.entries(1, 5, Infinity), UnavailableError);
  });

  test('compact drops entries up to the index but still answers the term at it', () => {
    const s = storageWith(1, 2, 3, 4);
    s.compact(2);
    assert.equal(s.firstIndex(), 3);
    assert.equal(s.lastIndex(), 4);
    assert.equal(s.term(2), 2);
    assert.throws(() => s.term(1), CompactedError);
    assert.throws(() => s.entries(2, 4, Infinity), (err: unknown) => err instanceof CompactedError && err.code === 'RAFT_COMPACTED');
    assert.throws(() => s.compact(2), CompactedError);
    assert.throws(() => s.compact(9), UnavailableError);
  });

  test('append ignores entries that are already compacted', () => {
    const s = storageWith(1, 1, 1);
    s.compact(2);
    s.append([ent(1, 1), ent(2, 1), ent(3, 1), ent(4, 1)]);
    assert.equal(s.firstIndex(), 3);
    assert.equal(s.lastIndex(), 4);
  });

  test('createSnapshot records the term at the index and the given membership', () => {
    const s = storageWith(1, 2, 2);
    const cs = { voters: ['1', '2'], learners: ['3'] };
    const snap = s.createSnapshot(2, cs, new Uint8Array([7]));
    assert.deepEqual(snap.meta, { index: 2, term: 2, confState: cs });
    assert.deepEqual(s.snapshot(), snap);
    assert.deepEqual(s.initialState().confState, cs);
    assert.throws(() => s.createSnapshot(2, cs, new Uint8Array()), SnapshotOutOfDateError);
    assert.throws(() => s.createSnapshot(5, cs, new Uint8Array()), UnavailableError);
  });

  test('applySnapshot replaces the log and refuses an older snapshot', () => {
    const s = storageWith(1, 1);
    const cs = { voters: ['1'], learners: [] };
    s.applySnapshot({ meta: { index: 10, term: 3, confState: cs }, data: new Uint8Array() });
    assert.equal(s.firstIndex(), 11);
    assert.equal(s.lastIndex(), 10);
    assert.equal(s.term(10), 3);
    assert.throws(
      () => s.applySnapshot({ meta: { index: 9, term: 3, confState: cs }, data: new Uint8Array() }),
      (err: unknown) => err instanceof SnapshotOutOfDateError && /older than the current snapshot at index 10/.test(err.message));
  });

  test('setHardState is returned by initialState', () => {
    const s = new MemoryStorage();
    s.setHardState({ term: 4, vote: '2', commit: 0 });
    assert.deepEqual(s.initialState().hardState, { term: 4, vote: '2', commit: 0 });
  });
});
