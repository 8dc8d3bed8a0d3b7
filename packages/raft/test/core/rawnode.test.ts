import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeConfChange, encodeConfChange } from '../../src/core/confchange-codec.js';
import { InvalidConfChangeError, NotLeaderError, RaftInvariantError } from '../../src/core/errors.js';
import { RawNode } from '../../src/core/rawnode.js';
import { MemoryStorage } from '../../src/core/storage.js';
import type { Ready } from '../../src/core/types.js';

function bootstrapped(voters: string[]): MemoryStorage {
  const storage = new MemoryStorage();
  storage.applySnapshot({ meta: { index: 1, term: 1, confState: { voters, learners: [] } }, data: new Uint8Array() });
  return storage;
}

/** The driver's loop body: persist, then (here: drop) messages, then advance. */
function handle(node: RawNode, storage: MemoryStorage): Ready {
  const rd = node.ready();
  if (rd.hardState !== null) storage.setHardState(rd.hardState);
  if (rd.snapshot !== null) storage.applySnapshot(rd.snapshot);
  storage.append(rd.entries);
  node.advance(rd);
  return rd;
}

describe('RawNode', () => {
  test('a single voter elects itself and commits a proposal in one Ready', () => {
    const storage = bootstrapped(['1']);
    const node = new RawNode({ id: '1', storage });
    node.campaign();
    const rd = handle(node, storage);
    assert.deepEqual(rd.softState, { leader: '1', role: 'leader' });
    assert.equal(rd.mustSync, true);
    const index = node.propose(new TextEncoder().encode('x'));
    assert.equal(index, 3);
    const rd2 = handle(node, storage);
    assert.deepEqual(rd2.entries.map((e) => e.index), [3]);
    assert.deepEqual(rd2.committedEntries.map((e) => e.index), [3]);
    assert.equal(node.status().applied, 3);
    assert.equal(node.hasReady(), false);
  });

  test('the election timeout is randomized within [electionTicks, 2*electionTicks)', () => {
    for (const [random, expected] of [[0, 10], [0.5, 15], [0.999, 19]] as const) {
      const storage = bootstrapped(['1']);
      const node = new RawNode({ id: '1', storage, random: () => random });
      let ticks = 0;
      while (node.status().role !== 'leader' && ticks < 100) {
        node.tick();
        ticks++;
      }
      assert.equal(ticks, expected, `random ${random}`);
    }
  });

  test('a follower honours its leader\'s lease until told the leader is gone', () => {
    const storage = bootstrapped(['1', '2', '3']);
    const node = new RawNode({ id: '2', storage });
    node.step({ type: 'heartbeat', from: '1', to: '2', term: 2, commit: 1, context: null });
    handle(node, storage);
    const preVote = { type: 'vote', from: '3', to: '2', term: 3, pre: true, lastIndex: 1, lastTerm: 1, transfer: false } as const;
    node.step(preVote);
    assert.deepEqual(handle(node, storage).messages.filter((m) => m.type === 'vote-response'), [], 'ignored under the lease');
    node.forgetLeader();
    assert.deepEqual(handle(node, storage).softState, { leader: null, role: 'follower' });
    node.step(preVote);
    const granted = handle(node, storage).messages.filter((m) => m.type === 'vote-response');
    assert.deepEqual(granted.map((m) => m.type === 'vote-response' && m.reject), [false]);
    assert.equal(node.status().term, 2, 'forgetting the leader changes no term');
  });

  test('a vote is in the same Ready as the message granting it', () => {
    const storage = bootstrapped(['1', '2', '3']);
    const node = new RawNode({ id: '2', storage, preVote: false });
    node.step({ type: 'vote', from: '1', to: '2', term: 2, pre: false, lastIndex: 1, lastTerm: 1, transfer: false });
    const rd = handle(node, storage);
    assert.deepEqual(rd.hardState, { term: 2, vote: '1', commit: 1 });
    assert.equal(rd.mustSync, true);
    assert.deepEqual(rd.messages.map((m) => [m.type, m.to, m.term]), [['vote-response', '1', 2]]);
  });

  test('a follower refuses proposals, naming the leader it knows', () => {
    const storage = bootstrapped(['1', '2']);
    const node = new RawNode({ id: '2', storage });
    node.step({ type: 'heartbeat', from: '1', to: '2', term: 3, commit: 1, context: null });
    assert.throws(() => node.propose(new Uint8Array([1])), (err: unknown) =>
      err instanceof NotLeaderError && err.leader === '1' && err.code === 'RAFT_NOT_LEADER');
  });

  test('a restarted node resumes from storage and hands out only entries after `applied`', () => {
    const storage = bootstrapped(['1']);
    const first = new RawNode({ id: '1', storage });
    first.campaign();
    handle(first, storage);
    for (const text of ['a', 'b', 'c']) first.propose(new TextEncoder().encode(text));
    handle(first, storage);
    const again = new RawNode({ id: '1', storage, applied: 3 });
    assert.equal(again.status().term, 1);
    assert.equal(again.status().commit, 5);
    const rd = again.ready();
    assert.deepEqual(rd.committedEntries.map((e) => e.index), [4, 5]);
  });

  test('ready() twice without advance() is a bug, not a state', () => {
    const storage = bootstrapped(['1']);
    const node = new RawNode({ id: '1', storage });
    node.campaign();
    node.ready();
    assert.equal(node.hasReady(), false, 'nothing new is handed out while a Ready is outstanding');
    assert.throws(() => node.ready(), RaftInvariantError);
  });

  test('a stored commit index beyond the stored log is refused at start-up', () => {
    const storage = bootstrapped(['1']);
    storage.setHardState({ term: 1, vote: null, commit: 9 });
    assert.throws(() => new RawNode({ id: '1', storage }), (err: unknown) =>
      err instanceof RaftInvariantError && /stored commit 9 outside \[1, 1\]/.test(err.message));
  });

  test('a commit index beyond the local log is refused, never applied', () => {
    const storage = bootstrapped(['1', '2', '3']);
    const node = new RawNode({ id: '2', storage });
    assert.throws(() => node.step({ type: 'heartbeat', from: '1', to: '2', term: 2, commit: 9, context: null }),
      (err: unknown) => err instanceof RaftInvariantError && /commit 9 is beyond the last index 1/.test(err.message));
  });
});

describe('conf change codec', () => {
  test('round-trips every change type, including non-ASCII ids', () => {
    for (const cc of [
      { type: 'add-voter', nodeId: 'node-1' },
      { type: 'add-learner', nodeId: 'ñødé-✓-😀' },
      { type: 'remove', nodeId: '42' },
    ] as const) {
      assert.deepEqual(decodeConfChange(encodeConfChange(cc)), cc);
      assert.deepEqual(encodeConfChange(cc), new TextEncoder().encode(JSON.stringify(cc)));
    }
  });

  test('refuses data that is not a conf change', () => {
    for (const data of [new Uint8Array([0xff]), new TextEncoder().encode('{"type":"promote","nodeId":"1"}'), new TextEncoder().encode('nope')]) {
      assert.throws(() => decodeConfChange(data), (err: unknown) => err instanceof InvalidConfChangeError && err.code === 'RAFT_INVALID_CONF_CHANGE');
    }
  });
});
