import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Level } from 'level';
import type { Snapshot } from '../../src/core/types.js';
import { CorruptStorageError, LevelLogStore } from '../../src/storage/index.js';
import { entryKey } from '../../src/storage/keys.js';
import { entries, tempDir } from './helpers.js';

async function openStore(t: { after(fn: () => unknown): void }, dir: string): Promise<LevelLogStore> {
  const store = await LevelLogStore.open(dir);
  t.after(() => store.close());
  return store;
}

async function reopenAndLoad(dir: string) {
  const store = await LevelLogStore.open(dir);
  try {
    return await store.load();
  } finally {
    await store.close();
  }
}

const snapshot: Snapshot = {
  meta: { index: 10, term: 3, confState: { voters: ['a', 'b', 'c'], learners: ['d'] } },
  data: new Uint8Array([1, 2, 3, 4, 5]),
};

test('a new store loads as empty', async (t) => {
  const store = await openStore(t, await tempDir(t));
  assert.deepEqual(await store.load(), { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] });
});

test('hard state, entries and snapshot survive a reopen exactly', async (t) => {
  const dir = await tempDir(t);
  const store = await LevelLogStore.open(dir);
  await store.save({ snapshot, entries: entries(11, 15, 3), hardState: { term: 3, vote: 'b', commit: 13 } }, { sync: true });
  await store.close();
  const state = await reopenAndLoad(dir);
  assert.deepEqual(state.hardState, { term: 3, vote: 'b', commit: 13 });
  assert.deepEqual(state.snapshot, snapshot);
  assert.deepEqual(state.entries, entries(11, 15, 3));
});

test('entries that overwrite a conflicting suffix replace it and drop what followed', async (t) => {
  const dir = await tempDir(t);
  const store = await LevelLogStore.open(dir);
  await store.save({ entries: entries(1, 6, 1) }, { sync: true });
  await store.save({ entries: entries(3, 4, 2) }, { sync: true });
  await store.close();
  const state = await reopenAndLoad(dir);
  assert.deepEqual(state.entries, [...entries(1, 2, 1), ...entries(3, 4, 2)]);
});

test('a snapshot from the leader replaces the whole stored log', async (t) => {
  const dir = await tempDir(t);
  const store = await LevelLogStore.open(dir);
  await store.save({ entries: entries(1, 12, 1) }, { sync: true });
  await store.save({ snapshot, entries: entries(11, 11, 3) }, { sync: true });
  await store.close();
  const state = await reopenAndLoad(dir);
  assert.deepEqual(state.snapshot, snapshot);
  assert.deepEqual(state.entries, entries(11, 11, 3));
});

test('compaction after a local snapshot deletes old entries and keeps the rest', async (t) => {
  const dir = await tempDir(t);
  const store = await LevelLogStore.open(dir);
  await store.save({ entries: entries(1, 20, 3), hardState: { term: 3, vote: 'a', commit: 20 } }, { sync: true });
  await store.saveSnapshot(snapshot, { sync: true });
  await assert.rejects(store.compact(11), RangeError);
  await store.compact(8);
  assert.equal(store.firstIndex, 9);
  await store.close();
  const state = await reopenAndLoad(dir);
  assert.deepEqual(state.entries, entries(9, 20, 3));
  assert.deepEqual(state.snapshot, snapshot);
});

/** Writes 1..5 and closes, then lets `damage` edit the raw LevelDB before the next load. */
async function damagedStore(t: Parameters<typeof tempDir>[0], damage: (db: Level<Buffer, Buffer>) => Promise<void>) {
  const dir = await tempDir(t);
  const store = await LevelLogStore.open(dir);
  await store.save({ entries: entries(1, 5, 1), hardState: { term: 1, vote: 'a', commit: 5 } }, { sync: true });
  await store.close();
  const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  try {
    await damage(db);
  } finally {
    await db.close();
  }
  return dir;
}

function corruption(kind: string, key: string, index: number | null) {
  return (err: unknown) => {
    assert.ok(err instanceof CorruptStorageError, `expected CorruptStorageError, got ${String(err)}`);
    assert.equal(err.code, 'RAFT_STORAGE_CORRUPT');
    assert.equal(err.kind, kind);
    assert.equal(err.key, key);
    assert.equal(err.index, index);
    assert.match(err.message, new RegExp(`\\(${kind}\\) at ${key}`));
    return true;
  };
}

test('a flipped byte in an entry is refused on load, naming the entry', async (t) => {
  const dir = await damagedStore(t, async (db) => {
    const value = (await db.get(entryKey(3))) as Buffer;
    value[value.length - 1]! ^= 0x40;
    await db.put(entryKey(3), value);
  });
  await assert.rejects(reopenAndLoad(dir), corruption('checksum', 'entry/3', 3));
});

test('a flipped byte in the hard state is refused on load', async (t) => {
  const dir = await damagedStore(t, async (db) => {
    const key = Buffer.from('h');
    const value = (await db.get(key)) as Buffer;
    value[6]! ^= 0x01;
    await db.put(key, value);
  });
  await assert.rejects(reopenAndLoad(dir), corruption('checksum', 'hardstate', null));
});

test('a record moved to another index is refused on load', async (t) => {
  const dir = await damagedStore(t, async (db) => {
    await db.put(entryKey(2), (await db.get(entryKey(4))) as Buffer);
  });
  await assert.rejects(reopenAndLoad(dir), corruption('checksum', 'entry/2', 2));
});

test('a missing entry in the middle of the log is refused as a gap', async (t) => {
  const dir = await damagedStore(t, (db) => db.del(entryKey(3)));
  await assert.rejects(reopenAndLoad(dir), corruption('gap', 'entry/3', 3));
});

test('a log that lost its tail is refused as truncated', async (t) => {
  const dir = await damagedStore(t, async (db) => {
    await db.del(entryKey(5));
    await db.del(entryKey(4));
  });
  await assert.rejects(reopenAndLoad(dir), corruption('truncated', 'entry/4', 4));
});
