import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Inflights } from '../../src/core/inflights.js';
import { Progress } from '../../src/core/progress.js';
import { majorityIndex, voteResult } from '../../src/core/quorum.js';

describe('Inflights', () => {
  test('fills up by message count', () => {
    const inf = new Inflights(3, 0);
    inf.add(1, 10);
    inf.add(2, 10);
    assert.equal(inf.full(), false);
    inf.add(3, 10);
    assert.equal(inf.full(), true);
    assert.throws(() => inf.add(4, 10), { code: 'RAFT_INVARIANT' });
  });

  test('fills up by bytes before the count limit', () => {
    const inf = new Inflights(10, 100);
    inf.add(1, 60);
    assert.equal(inf.full(), false);
    inf.add(2, 40);
    assert.equal(inf.full(), true);
    assert.equal(inf.bytes(), 100);
  });

  test('freeLE frees every message up to the index, releasing count and bytes', () => {
    const inf = new Inflights(4, 0);
    for (let i = 1; i <= 4; i++) inf.add(i * 10, 5);
    inf.freeLE(25);
    assert.equal(inf.count(), 2);
    assert.equal(inf.bytes(), 10);
    assert.equal(inf.full(), false);
    inf.add(50, 5);
    inf.add(60, 5);
    assert.equal(inf.full(), true);
    inf.freeLE(60);
    assert.equal(inf.count(), 0);
    assert.equal(inf.bytes(), 0);
  });

  test('indexes must increase', () => {
    const inf = new Inflights(4, 0);
    inf.add(5, 1);
    assert.throws(() => inf.add(5, 1), { code: 'RAFT_INVARIANT' });
  });
});

describe('Progress', () => {
  test('in probe state one append with entries pauses until the answer', () => {
    const pr = new Progress(5, false, 10, 0);
    pr.sentEntries(2, 20);
    assert.equal(pr.isPaused(), true);
    assert.equal(pr.next, 5, 'probe does not advance next optimistically');
    assert.equal(pr.maybeUpdate(6), true);
    assert.equal(pr.isPaused(), false);
    assert.equal(pr.next, 7);
  });

  test('in replicate state next advances optimistically until the window is full', () => {
    const pr = new Progress(1, false, 2, 0);
    pr.becomeReplicate();
    pr.sentEntries(3, 30);
    assert.equal(pr.next, 4);
    assert.equal(pr.isPaused(), false);
    pr.sentEntries(1, 10);
    assert.equal(pr.next, 5);
    assert.equal(pr.isPaused(), true);
    pr.maybeUpdate(3);
    pr.inflights.freeLE(3);
    assert.equal(pr.inflights.count(), 1);
  });

  test('maybeDecrTo in replicate state falls back to match+1 and ignores stale rejections', () => {
    const pr = new Progress(1, false, 10, 0);
    pr.maybeUpdate(5);
    pr.becomeReplicate();
    pr.sentEntries(5, 50);
    assert.equal(pr.next, 11);
    assert.equal(pr.maybeDecrTo(4, 4), false, 'a rejection at or below match is stale');
    assert.equal(pr.maybeDecrTo(8, 7), true);
    assert.equal(pr.next, 6);
  });

  test('maybeDecrTo in probe state uses the hint but never goes below match+1', () => {
    const pr = new Progress(10, false, 10, 0);
    pr.maybeUpdate(2);
    pr.next = 10;
    assert.equal(pr.maybeDecrTo(7, 3), false, 'only the rejection of next-1 counts');
    assert.equal(pr.maybeDecrTo(9, 4), true);
    assert.equal(pr.next, 5);
    pr.next = 10;
    assert.equal(pr.maybeDecrTo(9, 0), true);
    assert.equal(pr.next, 3);
  });

  test('leaving snapshot state probes past the snapshot unless it was reported lost', () => {
    const pr = new Progress(1, false, 10, 0);
    pr.becomeSnapshot(20);
    assert.equal(pr.isPaused(), true);
    pr.becomeProbe();
    assert.equal(pr.next, 21);
    pr.becomeSnapshot(20);
    pr.pendingSnapshot = 0;
    pr.becomeProbe();
    assert.equal(pr.next, 1);
  });

  test('match never decreases', () => {
    const pr = new Progress(1, false, 10, 0);
    assert.equal(pr.maybeUpdate(5), true);
    assert.equal(pr.maybeUpdate(3), false);
    assert.equal(pr.match, 5);
  });
});

describe('quorum', () => {
  test('majorityIndex is the highest index a majority has', () => {
    const match = new Map([['1', 5], ['2', 3], ['3', 9]]);
    assert.equal(majorityIndex(match.keys(), (id) => match.get(id)!), 5);
    const four = new Map([['1', 5], ['2', 3], ['3', 9], ['4', 1]]);
    assert.equal(majorityIndex(four.keys(), (id) => four.get(id)!), 3);
  });

  test('voteResult is pending until a majority is decided either way', () => {
    const voters = new Set(['1', '2', '3']);
    assert.equal(voteResult(voters, new Map([['1', true]])), 'pending');
    assert.equal(voteResult(voters, new Map([['1', true], ['2', true]])), 'won');
    assert.equal(voteResult(voters, new Map([['1', true], ['2', false]])), 'pending');
    assert.equal(voteResult(voters, new Map([['1', true], ['2', false], ['3', false]])), 'lost');
    assert.equal(voteResult(voters, new Map([['9', true], ['8', true]])), 'pending', 'non-voters do not count');
  });
});
