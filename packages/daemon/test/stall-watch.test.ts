import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchEventLoop, type LoopStall } from '../src/stall-watch.js';

function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('a loop held past the threshold is reported with the CPU spent meanwhile', async () => {
  const stalls: LoopStall[] = [];
  const watch = watchEventLoop({ thresholdMs: 300, checkEveryMs: 20, report: (s) => stalls.push(s) });
  try {
    await sleep(100);
    busyFor(600);
    await sleep(100);
  } finally {
    watch.stop();
  }
  assert.equal(stalls.length, 1);
  assert.ok(stalls[0]!.blockedMs >= 500, `blocked ${stalls[0]!.blockedMs} ms`);
  assert.ok(stalls[0]!.cpuMs >= 400, `cpu ${stalls[0]!.cpuMs} ms`);
});

test('a loop that keeps turning is not reported', async () => {
  const stalls: LoopStall[] = [];
  const watch = watchEventLoop({ thresholdMs: 300, checkEveryMs: 20, report: (s) => stalls.push(s) });
  try {
    for (let i = 0; i < 10; i++) {
      busyFor(50);
      await sleep(10);
    }
  } finally {
    watch.stop();
  }
  assert.deepEqual(stalls, []);
});
