import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveContainer, validContainerName } from '../../src/runtime/names.js';

const a = { id: 'abc123' + '0'.repeat(58), name: 'web' };
const b = { id: 'abd456' + '0'.repeat(58), name: 'abc123' };

test('a container resolves by full ID, then by name with or without /, then by unique ID prefix', () => {
  assert.deepEqual(resolveContainer([a, b], a.id), { kind: 'found', item: a });
  assert.deepEqual(resolveContainer([a, b], 'web'), { kind: 'found', item: a });
  assert.deepEqual(resolveContainer([a, b], '/web'), { kind: 'found', item: a });
  // A name wins over an ID prefix, as in dockerd.
  assert.deepEqual(resolveContainer([a, b], 'abc123'), { kind: 'found', item: b });
  assert.deepEqual(resolveContainer([a, b], 'abd'), { kind: 'found', item: b });
});

test('an ambiguous prefix or an unknown reference resolves to nothing', () => {
  assert.deepEqual(resolveContainer([a, b], 'ab'), { kind: 'ambiguous' });
  assert.deepEqual(resolveContainer([a, b], 'nosuch'), { kind: 'none' });
  assert.deepEqual(resolveContainer([a, b], ''), { kind: 'none' });
});

test('container names follow Docker rule (two characters at least)', () => {
  assert.ok(validContainerName('web.1_a-b'));
  assert.ok(!validContainerName('a'));
  assert.ok(!validContainerName('-web'));
  assert.ok(!validContainerName('we b'));
});
