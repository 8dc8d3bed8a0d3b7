// The key ring's rules: a new ring, the rotation schedule, what a rotation keeps and adds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { KEY_LENGTH_BYTES, KEY_RING_SIZE, planKeyRing, type KeyRingOptions, type NetworkKey } from '../../src/keys/key-ring.js';

const HOUR_MS = 3_600_000;
const opts = (nowMs: number): KeyRingOptions => ({ nowMs, rotationMs: 12 * HOUR_MS, randomKey: () => randomBytes(KEY_LENGTH_BYTES).toString('base64') });
const times = (keys: readonly NetworkKey[] | undefined) => keys?.map((k) => k.LamportTime);

test('a cluster without keys gets a full ring of distinct 16-byte AES-128-GCM keys, due for rotation one interval later', () => {
  const plan = planKeyRing(undefined, opts(1_000));
  assert.equal(plan.next?.length, KEY_RING_SIZE);
  assert.deepEqual(times(plan.next), [1, 2, 3]);
  for (const k of plan.next ?? []) {
    assert.equal(Buffer.from(k.Key, 'base64').length, 16);
    assert.deepEqual([k.Subsystem, k.Algorithm, k.CreatedAtMs], ['networking:ipsec', 'AES_128_GCM', 1_000]);
  }
  assert.equal(new Set(plan.next?.map((k) => k.Key)).size, 3, 'keys are distinct');
  assert.equal(plan.wakeAtMs, 1_000 + 12 * HOUR_MS);
  assert.deepEqual(planKeyRing([], opts(1_000)).next?.length, KEY_RING_SIZE, 'an empty ring too');
});

test('the ring is left alone until the newest key is one interval old, then the oldest key is replaced by one with the next Lamport time', () => {
  const ring = planKeyRing(undefined, opts(0)).next!;
  const early = planKeyRing(ring, opts(12 * HOUR_MS - 1));
  assert.equal(early.next, undefined);
  assert.equal(early.wakeAtMs, 12 * HOUR_MS);

  const rotated = planKeyRing([...ring].reverse(), opts(12 * HOUR_MS)).next!;
  assert.deepEqual(times(rotated), [2, 3, 4]);
  assert.deepEqual(rotated.slice(0, 2), ring.slice(1), 'the two newest keys are kept as they were');
  assert.equal(rotated[2]?.CreatedAtMs, 12 * HOUR_MS);
  assert.equal(planKeyRing(rotated, opts(12 * HOUR_MS + 1)).next, undefined, 'the next rotation is one interval after this one');
  assert.deepEqual(times(planKeyRing(rotated, opts(24 * HOUR_MS)).next), [3, 4, 5]);
});

test('a leader back after several intervals rotates once, not once per missed interval', () => {
  const ring = planKeyRing(undefined, opts(0)).next!;
  const plan = planKeyRing(ring, opts(100 * HOUR_MS));
  assert.deepEqual(times(plan.next), [2, 3, 4]);
  assert.equal(plan.wakeAtMs, 112 * HOUR_MS);
  assert.equal(planKeyRing(plan.next, opts(100 * HOUR_MS)).next, undefined);
});

test('a newest key made more than an interval in the future (the clock went back) is rotated at once', () => {
  const ring = planKeyRing(undefined, opts(100 * HOUR_MS)).next!;
  assert.equal(planKeyRing(ring, opts(95 * HOUR_MS)).next, undefined, 'within an interval: wait');
  assert.deepEqual(times(planKeyRing(ring, opts(80 * HOUR_MS)).next), [2, 3, 4]);
});

test('a key source that does not give 16 bytes, or a non-positive interval, is refused', () => {
  assert.throws(() => planKeyRing(undefined, { ...opts(0), randomKey: () => randomBytes(8).toString('base64') }), /must be 16 bytes in base64/);
  assert.throws(() => planKeyRing(undefined, { ...opts(0), rotationMs: 0 }), /rotation interval must be positive, not 0/);
});
