import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ID_LENGTH, isId, newId } from '../../src/ids/index.js';

test('newId gives 25 characters of base 36, distinct each time', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => newId()));
  assert.equal(ids.size, 1000);
  for (const id of ids) {
    assert.match(id, /^[0-9a-z]{25}$/);
    assert.equal(id.length, ID_LENGTH);
  }
});

test('newId keeps 25 characters for the extreme random inputs', () => {
  // The top bit is forced on, so all-zero bytes still give a 27-digit number and a full-length ID.
  // 2^135 in base 36 without its first digit (swarmkit identity.NewID on all-zero entropy).
  assert.equal(newId((n) => new Uint8Array(n)), 'hvy0lj3x0b883f8e30fyp2172');
  assert.equal(newId((n) => new Uint8Array(n).fill(0xff)), 'zrw1727u0mgg6ugs60vxe42e4');
});

test('newId refuses a random source that gives the wrong number of bytes', () => {
  assert.throws(() => newId(() => new Uint8Array(3)), RangeError);
});

test('isId accepts the IDs dockerd produced and refuses other text', () => {
  for (const id of ['4vny26m405wgeyjl1z954yu8l', 'z0psgzqc1gornzpfsr1e5x60f', 'yx7f3p5rp27l8dk140lbejybo']) assert.ok(isId(id));
  for (const text of ['', '4vny26m405wgeyjl1z954yu8', '4VNY26M405WGEYJL1Z954YU8L', '4vny26m405wgeyjl1z954yu8l0', 'swarm-manager']) {
    assert.equal(isId(text), false, text);
  }
});
