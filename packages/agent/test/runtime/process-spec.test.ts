import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeEnv, processEnv, resolveProcess } from '../../src/runtime/process-spec.js';
import { RuntimeError } from '../../src/runtime/types.js';

const id = 'a'.repeat(64);
const image = { Env: ['PATH=/usr/bin:/bin', 'A=1'], Cmd: ['sh'], Entrypoint: null, WorkingDir: '/srv' };

test('the image Cmd runs when the spec gives none; the spec Cmd replaces it', () => {
  assert.deepEqual(resolveProcess({ id, name: 'x1', image: 'busybox' }, image).cmd, ['sh']);
  assert.deepEqual(resolveProcess({ id, name: 'x1', image: 'busybox', cmd: ['sleep', '1'] }, image).cmd, ['sleep', '1']);
});

test('an entrypoint on create drops the image Cmd, as docker run --entrypoint does', () => {
  const p = resolveProcess({ id, name: 'x1', image: 'busybox', entrypoint: ['echo'] }, image);
  assert.deepEqual([p.entrypoint, p.cmd], [['echo'], null]);
});

test('nothing to run is refused with Docker message', () => {
  assert.throws(() => resolveProcess({ id, name: 'x1', image: 'busybox' }, { Cmd: null }), (err: unknown) => err instanceof RuntimeError && err.code === 'invalid-argument' && err.message === 'No command specified');
});

test('env merges by key keeping the image order; hostname and working dir default from ID and image', () => {
  const p = resolveProcess({ id, name: 'x1', image: 'busybox', env: ['A=2', 'B=3'] }, image);
  assert.deepEqual(p.env, ['PATH=/usr/bin:/bin', 'A=2', 'B=3']);
  assert.equal(p.hostname, 'aaaaaaaaaaaa');
  assert.equal(p.workingDir, '/srv');
  assert.deepEqual(processEnv(p, false), ['PATH=/usr/bin:/bin', 'HOSTNAME=aaaaaaaaaaaa', 'A=2', 'B=3']);
  assert.deepEqual(mergeEnv(['X=1'], ['X=2']), ['X=2']);
});
