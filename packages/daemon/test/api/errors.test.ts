import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiError,
  ConflictError,
  ForbiddenError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  NotImplementedError,
  UnavailableError,
  apiErrorFromCode,
  notSwarmManager,
  toErrorResponse,
} from '../../src/api/index.js';

test('each API error class maps to Docker\'s status', () => {
  const cases: [ApiError, number][] = [
    [new InvalidArgumentError('x'), 400],
    [new ForbiddenError('x'), 403],
    [new NotFoundError('x'), 404],
    [new ConflictError('x'), 409],
    [new InternalError('x'), 500],
    [new NotImplementedError('x'), 501],
    [new UnavailableError('x'), 503],
  ];
  for (const [err, status] of cases) {
    assert.equal(toErrorResponse(err).status, status, err.name);
    assert.equal(toErrorResponse(err).message, 'x');
  }
});

test('errors from below the API map by their code alone (control errors, store refusals)', () => {
  class ControlError extends Error {
    constructor(readonly code: string, message: string) {
      super(message);
    }
  }
  assert.deepEqual(toErrorResponse(new ControlError('not-found', 'node x not found')), {
    status: 404,
    message: 'node x not found',
    unexpected: false,
  });
  assert.equal(toErrorResponse(new ControlError('sequence-conflict', 'update out of sequence')).status, 409);
  assert.equal(toErrorResponse(new ControlError('failed-precondition', 'x')).status, 400);
  assert.equal(toErrorResponse(new ControlError('unavailable', 'x')).status, 503);
});

test('anything else is a 500 that carries its message and is flagged for logging', () => {
  const fs = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
  assert.deepEqual(toErrorResponse(fs), { status: 500, message: 'ENOENT: no such file', unexpected: true });
  assert.deepEqual(toErrorResponse('boom'), { status: 500, message: 'boom', unexpected: true });
  assert.equal(toErrorResponse(new Error('')).message, 'internal error');
});

test('errors carried as code and message across processes come back as the same status', () => {
  assert.equal(apiErrorFromCode('conflict', 'taken').status, 409);
  const unknown = apiErrorFromCode('weird', 'odd');
  assert.ok(unknown instanceof InternalError);
  assert.equal(unknown.message, 'odd');
});

test('a non-manager gets dockerd\'s 503 message', () => {
  const err = notSwarmManager();
  assert.equal(err.status, 503);
  assert.match(err.message, /^This node is not a swarm manager\. Use "docker swarm init"/);
});
