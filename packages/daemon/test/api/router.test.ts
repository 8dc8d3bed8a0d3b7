import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router, compilePath, route } from '../../src/api/routes.js';
import { empty } from '../../src/api/respond.js';
import { compareApiVersions, requestApiVersion, splitVersionedPath } from '../../src/api/version.js';

const ok = () => empty();

test('router matches path parameters and decodes them', () => {
  const r = new Router();
  r.add([route({ method: 'GET', path: '/nodes/{id}', handler: ok })]);
  const m = r.match('GET', '/nodes/my%20node');
  assert.equal(m.kind, 'found');
  assert.deepEqual(m.kind === 'found' && m.params, { id: 'my node' });
  assert.equal(r.match('GET', '/nodes/a/b').kind, 'not-found');
  assert.equal(r.match('GET', '/nodes/').kind, 'not-found');
  assert.equal(r.match('GET', '/nodes').kind, 'not-found');
});

test('a greedy parameter spans segments, for image names with slashes', () => {
  const r = new Router();
  r.add([route({ method: 'GET', path: '/images/{name:.*}/json', handler: ok })]);
  const m = r.match('GET', '/images/library/busybox:latest/json');
  assert.deepEqual(m.kind === 'found' && m.params, { name: 'library/busybox:latest' });
});

test('a wrong method is not found, like dockerd', () => {
  const r = new Router();
  r.add([route({ method: 'POST', path: '/swarm/init', handler: ok })]);
  assert.equal(r.match('GET', '/swarm/init').kind, 'not-found');
  assert.equal(r.match('POST', '/swarm/init').kind, 'found');
});

test('registering the same method and path shape twice is refused', () => {
  const r = new Router();
  r.add([route({ method: 'GET', path: '/nodes/{id}', handler: ok })]);
  assert.throws(() => r.add([route({ method: 'GET', path: '/nodes/{name}', handler: ok })]), /duplicate route GET \/nodes\/\{name\}/);
  assert.equal(r.has('GET', '/nodes/{x}'), true);
  assert.equal(r.has('DELETE', '/nodes/{x}'), false);
});

test('literal segments are matched literally, not as regular expressions', () => {
  const { pattern } = compilePath('/a.b/{x}');
  assert.equal(pattern.test('/a.b/1'), true);
  assert.equal(pattern.test('/axb/1'), false);
  assert.throws(() => compilePath('/bad/{x'), /bad route segment/);
  assert.throws(() => compilePath('relative'), /must start with/);
});

test('versioned paths are split from their version', () => {
  assert.deepEqual(splitVersionedPath('/v1.41/nodes'), { version: '1.41', path: '/nodes' });
  assert.deepEqual(splitVersionedPath('/_ping'), { version: undefined, path: '/_ping' });
  assert.deepEqual(splitVersionedPath('/volumes/v1.41'), { version: undefined, path: '/volumes/v1.41' });
});

test('API versions compare numerically', () => {
  assert.equal(compareApiVersions('1.9', '1.24'), -1);
  assert.equal(compareApiVersions('1.41', '1.41'), 0);
  assert.equal(compareApiVersions('1.50', '1.41'), 1);
  assert.equal(compareApiVersions('2', '1.99'), 1);
});

test('request versions outside 1.24..1.41 are refused with dockerd\'s messages', () => {
  assert.equal(requestApiVersion(undefined), '1.41');
  assert.equal(requestApiVersion('1.24'), '1.24');
  assert.throws(() => requestApiVersion('1.50'), {
    name: 'InvalidArgumentError',
    message: 'client version 1.50 is too new. Maximum supported API version is 1.41',
  });
  assert.throws(() => requestApiVersion('1.23'), {
    name: 'InvalidArgumentError',
    message: 'client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version',
  });
});
