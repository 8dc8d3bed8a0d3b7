import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlLoop } from '../../src/orchestrator/loop.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const PASS_MS = 60;

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

function nodeCommit(store: MemoryStore, index: number): void {
  const object = { ID: `n${index}`, Spec: { Labels: {}, Role: 'worker', Availability: 'active' }, Description: { Hostname: 'h' }, Status: { State: 'ready', Addr: '' } };
  store.apply(index, { actions: [{ op: 'create', table: 'node', object: object as never }], time: '2030-01-15T12:00:00.000Z' });
}

test('after a long pass the loop leaves the event loop free for as long, and handles the commits of that time in one pass', async (t) => {
  const store = new MemoryStore();
  const starts: number[] = [];
  const loop = new ControlLoop({
    name: 'test',
    store,
    nowMs: () => Date.now(),
    onFatal: (_name, err) => assert.fail(String(err)),
    pass: async () => {
      starts.push(performance.now());
      busy(PASS_MS);
      return undefined;
    },
  });
  t.after(() => loop.stop());
  loop.run();
  await new Promise((r) => setImmediate(r));
  assert.equal(starts.length, 1);
  // Five commits right after the first pass: one more pass, not five, and not before the pause.
  for (let i = 1; i <= 5; i++) nodeCommit(store, i);
  const turns: number[] = [];
  const ticker = setInterval(() => turns.push(performance.now()), 5);
  t.after(() => clearInterval(ticker));
  await Promise.race([loop.idle(), new Promise((_, reject) => setTimeout(() => reject(new Error('loop not idle within 2 s')), 2000))]);
  clearInterval(ticker);
  assert.equal(starts.length, 2);
  assert.ok(starts[1]! - starts[0]! >= 2 * PASS_MS - 5, `second pass ${(starts[1]! - starts[0]!).toFixed(0)} ms after the first`);
  assert.ok(turns.some((at) => at > starts[0]! + PASS_MS && at < starts[1]!), 'timers ran between the passes');
});

test('stop() ends the pause between passes at once', async () => {
  const store = new MemoryStore();
  let passes = 0;
  const loop = new ControlLoop({
    name: 'test',
    store,
    nowMs: () => Date.now(),
    onFatal: (_name, err) => assert.fail(String(err)),
    pass: async () => {
      passes++;
      busy(PASS_MS);
      return undefined;
    },
  });
  loop.run();
  await new Promise((r) => setImmediate(r));
  nodeCommit(store, 1);
  const before = performance.now();
  await loop.stop();
  assert.ok(performance.now() - before < PASS_MS / 2, 'stop waited for the pause');
  assert.equal(passes, 1);
});
