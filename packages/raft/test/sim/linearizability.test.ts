import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { History, type KvOp, type KvResult } from './history.js';
import { checkLinearizable } from './linearizability.js';
import { Prng } from './prng.js';

/** Builds a history from [client, op, startMs, endMs, outcome] rows; outcome 'info' | 'fail' or a result. */
type Row = [number, KvOp, number, number, KvResult | 'info' | 'fail'];

function history(rows: Row[]): History {
  const h = new History();
  const events: { atMs: number; run: () => void }[] = [];
  const ids: number[] = [];
  rows.forEach(([client, op, startMs, endMs, outcome], i) => {
    events.push({ atMs: startMs, run: () => void (ids[i] = h.invoke(client, op, startMs)) });
    events.push({
      atMs: endMs,
      run: () => {
        const id = ids[i] as number;
        if (outcome === 'info') h.info(id, 'timeout', endMs);
        else if (outcome === 'fail') h.fail(id, 'not leader', endMs);
        else h.ok(id, outcome, endMs);
      },
    });
  });
  events.sort((a, b) => a.atMs - b.atMs).forEach((e) => e.run());
  return h;
}

const put = (key: string, value: string): KvOp => ({ f: 'put', key, value });
const get = (key: string): KvOp => ({ f: 'get', key });
const cas = (key: string, expected: string | null, value: string): KvOp => ({ f: 'cas', key, expected, value });

describe('checkLinearizable', () => {
  it('accepts sequential puts and gets', () => {
    const h = history([
      [1, put('k', 'a'), 0, 1, null],
      [2, get('k'), 2, 3, 'a'],
      [1, cas('k', 'a', 'b'), 4, 5, true],
      [2, get('k'), 6, 7, 'b'],
      [2, cas('k', 'a', 'c'), 8, 9, false],
    ]);
    assert.deepEqual(checkLinearizable(h.events), { ok: true, badKeys: [], detail: '' });
  });

  it('accepts a read that sees either side of a concurrent write', () => {
    for (const seen of ['a', 'b']) {
      const h = history([
        [1, put('k', 'a'), 0, 1, null],
        [1, put('k', 'b'), 2, 10, null],
        [2, get('k'), 3, 4, seen],
      ]);
      assert.equal(checkLinearizable(h.events).ok, true, `read of ${seen}`);
    }
  });

  it('reports a stale read after a completed write', () => {
    const h = history([
      [1, put('k', 'a'), 0, 1, null],
      [1, put('k', 'b'), 2, 3, null],
      [2, get('k'), 4, 5, 'a'],
    ]);
    const r = checkLinearizable(h.events);
    assert.equal(r.ok, false);
    assert.deepEqual(r.badKeys, ['k']);
    assert.match(r.detail, /key k: 3 operations/);
  });

  it('reports a read that goes back in time between two readers', () => {
    const h = history([
      [1, put('k', 'a'), 0, 1, null],
      [1, put('k', 'b'), 2, 20, null],
      [2, get('k'), 3, 4, 'b'],
      [3, get('k'), 5, 6, 'a'],
    ]);
    assert.equal(checkLinearizable(h.events).ok, false);
  });

  it('treats an unknown write as possibly applied at any later time, or never', () => {
    const applied = history([
      [1, put('k', 'a'), 0, 1, 'info'],
      [2, get('k'), 50, 51, 'a'],
    ]);
    assert.equal(checkLinearizable(applied.events).ok, true);
    const never = history([
      [1, put('k', 'a'), 0, 1, 'info'],
      [2, get('k'), 50, 51, null],
    ]);
    assert.equal(checkLinearizable(never.events).ok, true);
  });

  it('reports a read of a value whose write of unknown outcome started only later', () => {
    const h = history([
      [2, get('k'), 0, 1, 'a'],
      [1, put('k', 'a'), 5, 6, 'info'],
    ]);
    assert.equal(checkLinearizable(h.events).ok, false);
  });

  it('accepts a failed compare-and-swap explained only by a write of unknown outcome nobody read', () => {
    const h = history([
      [1, put('k', 'x'), 0, 1, 'info'],
      [2, get('k'), 2, 3, null],
      [2, cas('k', null, 'b'), 4, 5, false],
    ]);
    assert.equal(checkLinearizable(h.events).ok, true);
  });

  it('proves a stale read among many concurrent writes of unknown outcome quickly', () => {
    const rows: Row[] = [];
    for (let i = 0; i < 60; i++) rows.push([i % 4, i % 2 === 0 ? put('k', `u${i}`) : cas('k', null, `u${i}`), i * 10, i * 10 + 1, 'info']);
    rows.push([8, put('k', 'a'), 690, 691, null]);
    rows.push([9, get('k'), 700, 701, null]);
    const started = performance.now();
    assert.equal(checkLinearizable(history(rows).events).ok, false);
    assert.ok(performance.now() - started < 2000);
  });

  it('treats a failed write as never applied', () => {
    const h = history([
      [1, put('k', 'a'), 0, 1, 'fail'],
      [2, get('k'), 50, 51, 'a'],
    ]);
    assert.equal(checkLinearizable(h.events).ok, false);
  });

  it('reports two compare-and-swaps from one value that both succeed', () => {
    const h = history([
      [1, put('k', 'a'), 0, 1, null],
      [1, cas('k', 'a', 'b'), 2, 10, true],
      [2, cas('k', 'a', 'c'), 3, 9, true],
    ]);
    assert.equal(checkLinearizable(h.events).ok, false);
  });

  it('checks each key on its own', () => {
    const h = history([
      [1, put('x', 'a'), 0, 1, null],
      [2, get('y'), 2, 3, null],
      [2, get('x'), 4, 5, null],
    ]);
    assert.deepEqual(checkLinearizable(h.events).badKeys, ['x']);
  });

  it('accepts random linearisable histories with many unknown outcomes, quickly', () => {
    const started = performance.now();
    for (let seed = 1; seed <= 20; seed++) {
      const r = checkLinearizable(randomLinearizableHistory(new Prng(seed), 300).events);
      assert.deepEqual(r, { ok: true, badKeys: [], detail: '' }, `seed ${seed}`);
    }
    assert.ok(performance.now() - started < 10_000);
  });
});

/**
 * Five clients run operations on one register; each takes effect at a random instant inside its
 * interval, so the history is linearisable by construction. A fifth of the writes time out (info).
 */
function randomLinearizableHistory(rng: Prng, count: number): History {
  const h = new History();
  type Pending = { client: number; op: KvOp; startMs: number; atMs: number; endMs: number; result?: KvResult };
  const ops: Pending[] = [];
  const free = [0, 0, 0, 0, 0];
  for (let n = 0; n < count; n++) {
    const client = rng.int(0, 4);
    const startMs = (free[client] as number) + rng.int(0, 5);
    const atMs = startMs + rng.int(0, 10) + 0.5;
    const endMs = atMs + rng.int(0, 10);
    free[client] = endMs + 1;
    const f = rng.pick(['put', 'get', 'cas'] as const);
    const op: KvOp = f === 'get' ? get('k') : f === 'put' ? put('k', `v${n}`) : cas('k', rng.chance(0.5) ? null : `v${rng.int(0, n)}`, `v${n}`);
    ops.push({ client, op, startMs, atMs, endMs });
  }
  let state: string | null = null;
  for (const o of [...ops].sort((a, b) => a.atMs - b.atMs)) {
    if (o.op.f === 'get') o.result = state;
    else if (o.op.f === 'put') [o.result, state] = [null, o.op.value];
    else [o.result, state] = state === o.op.expected ? [true, o.op.value] : [false, state];
  }
  const events: { atMs: number; run: () => void }[] = [];
  for (const o of ops) {
    let id = 0;
    events.push({ atMs: o.startMs, run: () => void (id = h.invoke(o.client, o.op, o.startMs)) });
    const unknown = o.op.f !== 'get' && rng.chance(0.2);
    events.push({ atMs: o.endMs + 0.25, run: () => (unknown ? h.info(id, 'timeout', o.endMs) : h.ok(id, o.result as KvResult, o.endMs)) });
  }
  events.sort((a, b) => a.atMs - b.atMs).forEach((e) => e.run());
  return h;
}
