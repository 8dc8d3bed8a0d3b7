import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, shouldRestart } from '../../src/runtime/restart-policy.js';

const exit = (exitCode: number, manuallyStopped = false, restartCount = 0) => ({ exitCode, manuallyStopped, restartCount });

test('always restarts whatever the exit; unless-stopped unless the user stopped it; no policy never', () => {
  assert.equal(shouldRestart({ name: 'always' }, exit(0, true)), true);
  assert.equal(shouldRestart({ name: 'unless-stopped' }, exit(0)), true);
  assert.equal(shouldRestart({ name: 'unless-stopped' }, exit(1, true)), false);
  assert.equal(shouldRestart(undefined, exit(1)), false);
});

test('on-failure restarts a non-zero exit, up to its count (0: no limit)', () => {
  const policy = { name: 'on-failure', maximumRetryCount: 2 } as const;
  assert.equal(shouldRestart(policy, exit(0)), false);
  assert.equal(shouldRestart(policy, exit(1, false, 1)), true);
  assert.equal(shouldRestart(policy, exit(1, false, 2)), false);
  assert.equal(shouldRestart({ name: 'on-failure' }, exit(3, false, 1000)), true);
});

test("the delays are dockerd's: 100 ms doubling to a minute, back to 100 ms after a run of 10 s", () => {
  const backoff = new Backoff();
  assert.deepEqual([0, 0, 0, 0].map(() => backoff.next(50)), [100, 200, 400, 800]);
  for (let i = 0; i < 20; i++) backoff.next(50);
  assert.equal(backoff.next(50), 60_000);
  assert.equal(backoff.next(10_000), 100);
});
