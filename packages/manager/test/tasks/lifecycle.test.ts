import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance, assertForward, isTerminal, status } from '../../src/tasks/lifecycle.js';

const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString();

test('advance moves forward through the lifecycle and drops late reports of earlier states', () => {
  const running = status('running', at(3), 'started');
  assert.deepEqual(advance(status('starting', at(2), 'starting'), running), running);
  assert.equal(advance(running, status('starting', at(4), 'starting')), undefined, 'late report');
  assert.equal(advance(running, status('running', at(5), 'started')), undefined, 'nothing new');
  const withContainer = advance(running, status('running', at(5), 'started', { ContainerStatus: { ContainerID: 'c', PID: 7, ExitCode: 0 } }));
  assert.equal(withContainer?.Timestamp, at(3), 'the time is when the state was entered');
  assert.equal(withContainer?.ContainerStatus?.PID, 7);
});

test('a terminal state is final: no other terminal state replaces it', () => {
  const failed = status('failed', at(1), 'started', { Err: 'task: non-zero exit (1)' });
  assert.equal(advance(failed, status('shutdown', at(2), 'shutdown')), undefined);
  assert.equal(advance(failed, status('orphaned', at(2), 'orphaned')), undefined);
  assert.ok(isTerminal('complete') && isTerminal('rejected') && !isTerminal('running'));
});

test('a backwards status write is a broken invariant', () => {
  assert.throws(() => assertForward(status('running', at(1), ''), status('pending', at(2), '')), /running → pending moves backwards/);
});
