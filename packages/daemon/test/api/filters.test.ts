import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Filters, InvalidArgumentError } from '../../src/api/index.js';

const accepted = ['role', 'name', 'id', 'label'] as const;

test('filters parse the map[string]map[string]bool form the CLI sends', () => {
  const f = Filters.parse('{"role":{"manager":true},"name":{"a":true,"b":true}}', accepted);
  assert.deepEqual(f.keys().sort(), ['name', 'role']);
  assert.deepEqual(f.values('name').sort(), ['a', 'b']);
  assert.equal(f.exactMatch('role', 'manager'), true);
  assert.equal(f.exactMatch('role', 'worker'), false);
});

test('filters accept the legacy map[string][]string form', () => {
  const f = Filters.parse('{"role":["worker"]}', accepted);
  assert.equal(f.exactMatch('role', 'worker'), true);
  assert.equal(f.exactMatch('role', 'manager'), false);
});

test('a value set to false is listed but never matches, as in dockerd', () => {
  const f = Filters.parse('{"role":{"manager":false}}', accepted);
  assert.deepEqual(f.values('role'), ['manager']);
  assert.equal(f.exactMatch('role', 'manager'), false);
  assert.equal(f.exactMatch('role', 'worker'), false);
});

test('filters refuse a key the route does not accept, with dockerd\'s message', () => {
  assert.throws(() => Filters.parse('{"bogus":{"x":true}}', accepted), (err: unknown) => {
    assert.ok(err instanceof InvalidArgumentError);
    assert.equal(err.message, "invalid filter 'bogus'");
    assert.equal(err.status, 400);
    return true;
  });
});

test('filters refuse malformed JSON and wrong shapes as invalid filter', () => {
  for (const raw of ['{', '[1,2]', '"x"', '{"role":5}', '{"role":[1]}', '{"role":{"a":"yes"}}']) {
    assert.throws(() => Filters.parse(raw, accepted), { name: 'InvalidArgumentError', message: 'invalid filter' }, raw);
  }
});

test('an absent or empty filters parameter filters nothing', () => {
  for (const raw of [null, '', '{}']) {
    const f = Filters.parse(raw, accepted);
    assert.equal(f.size, 0);
    assert.equal(f.exactMatch('role', 'anything'), true);
    assert.equal(f.fuzzyMatch('id', 'anything'), true);
  }
});

test('fuzzyMatch matches ID prefixes', () => {
  const f = Filters.parse('{"id":{"4vny":true}}', accepted);
  assert.equal(f.fuzzyMatch('id', '4vny26m405wgeyjl1z954yu8l'), true);
  assert.equal(f.fuzzyMatch('id', 'zl5dqa21ylx9abzsygvj56abr'), false);
});

test('matchLabels needs every label, and its value when given', () => {
  const f = Filters.parse('{"label":{"zone":true,"tier=web":true}}', accepted);
  assert.equal(f.matchLabels('label', { zone: 'a', tier: 'web' }), true);
  assert.equal(f.matchLabels('label', { zone: 'a', tier: 'db' }), false);
  assert.equal(f.matchLabels('label', { tier: 'web' }), false);
  assert.equal(f.matchLabels('label', null), false);
});

test('bool filters read true/false/1/0 and refuse conflicting values', () => {
  const keys = ['dangling'] as const;
  assert.equal(Filters.parse('{"dangling":{"true":true}}', keys).bool('dangling', false), true);
  assert.equal(Filters.parse('{"dangling":{"0":true}}', keys).bool('dangling', true), false);
  assert.equal(Filters.parse(null, keys).bool('dangling', true), true);
  assert.throws(() => Filters.parse('{"dangling":{"true":true,"false":true}}', keys).bool('dangling', false), {
    name: 'InvalidArgumentError',
    message: "invalid filter 'dangling=[true false]'",
  });
});
