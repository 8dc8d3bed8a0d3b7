import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Prng } from './prng.js';

describe('Prng', () => {
  it('replays the same stream from the same seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    for (let i = 0; i < 100; i++) assert.equal(a.nextUint32(), b.nextUint32());
  });
  it('gives different streams for neighbouring seeds', () => {
    assert.notEqual(new Prng(1).nextUint32(), new Prng(2).nextUint32());
  });
  it('keeps int() inside its bounds and reaches both ends', () => {
    const r = new Prng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const v = r.int(3, 6);
      assert.ok(v >= 3 && v <= 6);
      seen.add(v);
    }
    assert.deepEqual([...seen].sort(), [3, 4, 5, 6]);
  });
});
