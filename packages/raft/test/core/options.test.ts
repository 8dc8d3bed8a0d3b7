import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidRaftOptionsError } from '../../src/core/errors.js';
import { compileRaftOptions } from '../../src/core/options.js';
import { MemoryStorage } from '../../src/core/storage.js';

const base = { id: '1', storage: new MemoryStorage() };

function refused(opts: object, message: RegExp): void {
  assert.throws(() => compileRaftOptions({ ...base, ...opts }), (err: unknown) =>
    err instanceof InvalidRaftOptionsError && err.code === 'RAFT_INVALID_OPTIONS' && message.test(err.message));
}

describe('compileRaftOptions', () => {
  test('fills in the documented defaults', () => {
    const o = compileRaftOptions(base);
    assert.equal(o.electionTicks, 10);
    assert.equal(o.heartbeatTicks, 1);
    assert.equal(o.preVote, true);
    assert.equal(o.checkQuorum, true);
    assert.equal(o.maxInflightMsgs, 256);
    assert.equal(o.maxInflightBytes, 32 * 1024 * 1024);
    assert.equal(o.maxSizePerMsgBytes, 1024 * 1024);
    assert.equal(o.maxSnapshotChunkBytes, 4 * 1024 * 1024);
    assert.equal(o.snapshotRetryTicks, 10);
    assert.equal(o.applied, 0);
  });

  test('the default random source is seeded from the id: deterministic, in [0, 1)', () => {
    const a = compileRaftOptions(base).random;
    const b = compileRaftOptions(base).random;
    const c = compileRaftOptions({ ...base, id: '2' }).random;
    const seqA = [a(), a(), a()];
    assert.deepEqual(seqA, [b(), b(), b()]);
    assert.notDeepEqual(seqA, [c(), c(), c()]);
    for (const v of seqA) assert.ok(v >= 0 && v < 1);
  });

  test('refuses a heartbeat interval not shorter than the election timeout, naming both', () => {
    refused({ heartbeatTicks: 10 }, /heartbeatTicks \(10\) must be less than electionTicks \(10\)/);
    refused({ electionTicks: 3, heartbeatTicks: 5 }, /heartbeatTicks \(5\).*electionTicks \(3\)/);
  });

  test('refuses an inflight byte budget smaller than one message, naming both', () => {
    refused({ maxInflightBytes: 1000, maxSizePerMsgBytes: 2000 }, /maxInflightBytes \(1000\).*maxSizePerMsgBytes \(2000\)/);
    assert.equal(compileRaftOptions({ ...base, maxInflightBytes: 0 }).maxInflightBytes, 0, '0 means no limit');
  });

  test('refuses a snapshot retry no longer than the heartbeat interval', () => {
    refused({ snapshotRetryTicks: 1 }, /snapshotRetryTicks \(1\) must be more than heartbeatTicks \(1\)/);
  });

  test('refuses non-integers, out-of-range values and a missing id', () => {
    refused({ electionTicks: 0 }, /electionTicks must be an integer >= 1, got 0/);
    refused({ maxInflightMsgs: 1.5 }, /maxInflightMsgs must be an integer >= 1/);
    refused({ maxSnapshotChunkBytes: 0 }, /maxSnapshotChunkBytes must be an integer >= 1/);
    refused({ applied: -1 }, /applied must be an integer >= 0/);
    refused({ id: '' }, /id must be a non-empty string/);
  });
});
