import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Gate } from '../../src/runtime/gate.js';

test('a gate runs at most its size at once, in arrival order, and frees a slot when a job fails', async () => {
  const gate = new Gate(2);
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const job = (n: number) => async () => {
    running++;
    most = Math.max(most, running);
    await sleep(10);
    order.push(n);
    running--;
    if (n === 0) throw new Error('job 0 fails');
  };
  const results = await Promise.allSettled([0, 1, 2, 3, 4].map((n) => gate.run(job(n))));
  assert.equal(most, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
  assert.equal(results[0]!.status, 'rejected');
  assert.ok(results.slice(1).every((r) => r.status === 'fulfilled'));
  assert.throws(() => new Gate(0), RangeError);
});
