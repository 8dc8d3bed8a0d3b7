import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeerReachability } from '../../src/raft/reachability.js';

function clocked() {
  const clock = { ms: 1_000_000 };
  return { clock, r: new PeerReachability(() => clock.ms) };
}

test('a peer never heard from is unreachable; one delivery makes it reachable', () => {
  const { r } = clocked();
  assert.equal(r.isReachable('m2'), false);
  r.failed('m2');
  assert.equal(r.isReachable('m2'), false);
  r.delivered('m2');
  assert.equal(r.isReachable('m2'), true);
});

test('failures shorter than 3 s keep a peer reachable; 3 s of failures make it unreachable', () => {
  const { clock, r } = clocked();
  r.delivered('m2');
  r.failed('m2');
  clock.ms += 2999;
  r.failed('m2');
  assert.equal(r.isReachable('m2'), true, 'a blip is not an outage');
  clock.ms += 1;
  assert.equal(r.isReachable('m2'), false);
  r.delivered('m2');
  assert.equal(r.isReachable('m2'), true);
});

test('a success in between restarts the 3 s window', () => {
  const { clock, r } = clocked();
  r.delivered('m2');
  r.failed('m2');
  clock.ms += 2000;
  r.delivered('m2');
  r.failed('m2');
  clock.ms += 2000;
  assert.equal(r.isReachable('m2'), true);
  clock.ms += 1000;
  assert.equal(r.isReachable('m2'), false);
});

test('peers are judged independently', () => {
  const { clock, r } = clocked();
  r.delivered('m2');
  r.delivered('m3');
  r.failed('m3');
  clock.ms += 5000;
  assert.equal(r.isReachable('m2'), true);
  assert.equal(r.isReachable('m3'), false);
});
