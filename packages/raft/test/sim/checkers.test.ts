// The checkers must be able to fail: each is fed a hand-made state that breaks its invariant, and a
// legal counterpart it must accept.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CommitMonotonic,
  ElectionSafety,
  InvariantViolation,
  LeaderCompleteness,
  LogMatching,
  StateMachineSafety,
  type LogView,
} from './checkers/index.js';

function log(terms: number[], snapshotIndex = 0): LogView {
  // terms[i] is the term at index snapshotIndex + 1 + i.
  return { snapshotIndex, lastIndex: snapshotIndex + terms.length, term: (i) => terms[i - snapshotIndex - 1] ?? 0 };
}

function throwsViolation(fn: () => void, invariant: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InvariantViolation);
    assert.equal(err.code, 'INVARIANT_VIOLATION');
    assert.equal(err.invariant, invariant);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('ElectionSafety', () => {
  it('accepts one leader per term, re-observed, and leaders of different terms', () => {
    const c = new ElectionSafety();
    c.observeLeader('a', 1);
    c.observeLeader('a', 1);
    c.observeLeader('b', 2);
  });
  it('reports two leaders in one term', () => {
    const c = new ElectionSafety();
    c.observeLeader('a', 3);
    throwsViolation(() => c.observeLeader('b', 3), 'election-safety', /term 3 has two leaders: a and b/);
  });
});

describe('LogMatching', () => {
  it('accepts the same entry written by several nodes', () => {
    const c = new LogMatching();
    c.observeWrite('a', { index: 1, term: 1, digest: 'x', prevTerm: 0 });
    c.observeWrite('b', { index: 1, term: 1, digest: 'x', prevTerm: 0 });
  });
  it('reports two payloads at one index and term', () => {
    const c = new LogMatching();
    c.observeWrite('a', { index: 4, term: 2, digest: 'x', prevTerm: 1 });
    throwsViolation(() => c.observeWrite('b', { index: 4, term: 2, digest: 'y', prevTerm: 1 }), 'log-matching', /entry 4\/2 differs/);
  });
  it('reports logs that agree at an index and term but not before it', () => {
    const c = new LogMatching();
    c.observeWrite('a', { index: 4, term: 3, digest: 'x', prevTerm: 1 });
    throwsViolation(() => c.observeWrite('b', { index: 4, term: 3, digest: 'x', prevTerm: 2 }), 'log-matching', /follows term 1 on a but term 2 on b/);
  });
});

describe('LeaderCompleteness', () => {
  it('accepts a later leader that holds every committed entry, or has it compacted', () => {
    const c = new LeaderCompleteness();
    c.observeLeaderCommit(1, 2, log([1, 1]));
    c.observeLeader('b', 2, log([1, 1, 2]));
    c.observeLeader('c', 3, log([2], 2));
  });
  it('reports a later leader missing a committed entry', () => {
    const c = new LeaderCompleteness();
    c.observeLeaderCommit(1, 2, log([1, 1]));
    throwsViolation(() => c.observeLeader('b', 2, log([1])), 'leader-completeness', /leader b of term 2 lacks entry 2/);
  });
  it('reports a sitting leader of a later term when an entry it lacks gets committed', () => {
    const c = new LeaderCompleteness();
    c.observeLeader('b', 5, log([1, 5]));
    throwsViolation(() => c.observeLeaderCommit(4, 2, log([1, 4])), 'leader-completeness', /lacks entry 2 \(term 4, committed in term 4\)/);
  });
  it('does not hold a leader of an older term to entries committed later', () => {
    const c = new LeaderCompleteness();
    c.observeLeader('b', 2, log([1]));
    c.observeLeaderCommit(3, 2, log([1, 3]));
  });
});

describe('StateMachineSafety', () => {
  it('accepts nodes applying the same entries, also after restoring from a snapshot', () => {
    const c = new StateMachineSafety();
    c.observeApply('a', 1, 'e1', 'p1');
    c.observeApply('a', 2, 'e2', 'p2');
    c.observeApply('b', 1, 'e1', 'p1');
    c.observeRestore('c', 2, 'p2');
    c.observeApply('c', 3, 'e3', 'p3');
  });
  it('reports two nodes applying different entries at one index', () => {
    const c = new StateMachineSafety();
    c.observeApply('a', 1, 'e1', 'p1');
    throwsViolation(() => c.observeApply('b', 1, 'other', 'q1'), 'state-machine-safety', /at index 1 a applied e1 but b applied other/);
  });
  it('reports a gap in what one node applies', () => {
    const c = new StateMachineSafety();
    c.observeApply('a', 1, 'e1', 'p1');
    throwsViolation(() => c.observeApply('a', 3, 'e3', 'p3'), 'state-machine-safety', /a applied index 3 right after 1/);
  });
  it('reports a snapshot whose state differs from the applied prefix', () => {
    const c = new StateMachineSafety();
    c.observeApply('a', 1, 'e1', 'p1');
    throwsViolation(() => c.observeRestore('b', 1, 'bad'), 'state-machine-safety', /b restored state at 1/);
  });
});

describe('CommitMonotonic', () => {
  it('accepts a commit that grows, and a restarted incarnation starting lower', () => {
    const c = new CommitMonotonic();
    c.observeCommit('a', 1, 5);
    c.observeCommit('a', 1, 7);
    c.observeCommit('a', 2, 3);
    c.observeApplied('a', 2, 3);
  });
  it('reports a commit index going backwards on a live node', () => {
    const c = new CommitMonotonic();
    c.observeCommit('a', 1, 5);
    throwsViolation(() => c.observeCommit('a', 1, 4), 'commit-monotonic', /a#1 commit went from 5 back to 4/);
  });
  it('reports applying past the commit index', () => {
    const c = new CommitMonotonic();
    c.observeCommit('a', 1, 5);
    throwsViolation(() => c.observeApplied('a', 1, 6), 'commit-monotonic', /applied 6 beyond its commit 5/);
  });
});
