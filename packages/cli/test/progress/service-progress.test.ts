// The convergence display fed canned polls (service, up-to-date tasks, nodes) on a fake clock. The
// expected texts are what docker 28 prints for the same polls with stdout piped (checked side by
// side against the real CLI in e2e/test/cli-shoal-services.test.ts), and its terminal bar format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressDisplay, type ProgressMessage } from '../../src/progress/json-stream.js';
import { ServiceUpdatePaused, watchServiceProgress, type ProgressSource } from '../../src/progress/service-progress.js';
import type { ProgressService, ProgressTask } from '../../src/progress/updaters.js';

interface Poll {
  service?: Partial<ProgressService>;
  tasks: ProgressTask[];
}

const task = (slot: number, state: string, extra: Partial<ProgressTask> = {}): ProgressTask => ({
  ID: `t${slot}`, Slot: slot, NodeID: state === 'pending' ? '' : 'n1', DesiredState: 'running', Status: { State: state }, ...extra,
});

/** Replays `polls` (the last one repeats), 200 ms apart; returns what was printed. */
async function watch(polls: Poll[], base: ProgressService, options: { terminal?: boolean; interruptAfter?: number } = {}): Promise<string> {
  let nowMs = 0;
  let index = 0;
  let out = '';
  const current = (): Poll => polls[Math.min(index, polls.length - 1)] as Poll;
  const source: ProgressSource = {
    service: async () => ({ ...base, ...current().service }),
    upToDateTasks: async () => current().tasks,
    activeNodes: async () => new Set(['n1', 'n2']),
  };
  const clock = {
    nowMs: () => nowMs,
    sleep: async (ms: number) => {
      nowMs += ms;
      index++;
      return options.interruptAfter !== undefined && index >= options.interruptAfter;
    },
  };
  const display = new ProgressDisplay((text) => (out += text), { terminal: !!options.terminal });
  await watchServiceProgress(source, clock, (m) => display.show(m), { serviceRef: base.ID });
  return out;
}

const replicated = (replicas: number, monitorNs = 1e9): ProgressService => ({
  ID: 'ucvk43lyg5dpb15c3uydhfq76',
  Spec: { Mode: { Replicated: { Replicas: replicas } }, UpdateConfig: { Monitor: monitorNs } },
});

test('a replicated create on a pipe: slots, overall counts, the monitor window and the converged line (docker 05c)', async () => {
  const text = await watch(
    [{ tasks: [task(1, 'pending'), task(2, 'pending')] }, { tasks: [task(1, 'assigned'), task(2, 'starting')] }, { tasks: [task(1, 'running'), task(2, 'running')] }],
    replicated(2),
  );
  assert.equal(
    text,
    'overall progress: 0 out of 2 tasks\n1/2:  \n2/2:  \noverall progress: 0 out of 2 tasks\n' +
      'overall progress: 0 out of 2 tasks\n' +
      'overall progress: 2 out of 2 tasks\n' +
      'verify: Waiting 1 seconds to verify that tasks are stable...\n'.repeat(5) +
      'verify: Service ucvk43lyg5dpb15c3uydhfq76 converged\n',
  );
});

test('the default monitor is 5 s and counts down; a task that stops running restarts the window', async () => {
  const running = { tasks: [task(1, 'running')] };
  const text = await watch([running, { tasks: [task(1, 'failed', { Status: { State: 'failed', Err: 'task: non-zero exit (1)' } })] }, running], {
    ID: 'web',
    Spec: { Mode: { Replicated: { Replicas: 1 } } },
  });
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 6), [
    'overall progress: 0 out of 1 tasks',
    '1/1:  ',
    'overall progress: 1 out of 1 tasks',
    'verify: Waiting 5 seconds to verify that tasks are stable...',
    '1/1: task: non-zero exit (1)',
    'overall progress: 0 out of 1 tasks',
  ]);
  assert.equal(lines[6], 'verify: Detected task failure');
  assert.equal(lines[7], 'overall progress: 1 out of 1 tasks');
  const waits = lines.filter((l) => l.startsWith('verify: Waiting')).map((l) => Number(/\d+/.exec(l)?.[0]));
  assert.deepEqual([...new Set(waits)], [5, 4, 3, 2, 1]);
  assert.equal(lines.at(-2), 'verify: Service web converged');
});

test('a rollback shows the daemon\'s message, counts as rolling back, and ends with the rollback status', async () => {
  const rolling = { service: { UpdateStatus: { State: 'rollback_started', Message: 'manually requested rollback' } }, tasks: [task(1, 'running')] };
  const done = { service: { UpdateStatus: { State: 'rollback_completed', Message: 'rollback completed' } }, tasks: [task(1, 'running')] };
  // docker keeps the closing message only when the rollback completes before the tasks converge.
  const text = await watch([{ ...rolling, tasks: [task(1, 'starting')] }, done], { ...replicated(1), ID: 'web' });
  assert.equal(
    text,
    'rollback: manually requested rollback\n' +
      'overall progress: rolling back update: 0 out of 1 tasks\n1/1:  \noverall progress: rolling back update: 0 out of 1 tasks\n' +
      'overall progress: rolling back update: 1 out of 1 tasks\n' +
      'verify: Waiting 1 seconds to verify that tasks are stable...\n'.repeat(5) +
      'verify: Service web converged\nrollback: rollback completed\n',
  );
});

test('a paused update fails with docker\'s message; Ctrl-C leaves the update running with a hint', async () => {
  const paused = { service: { UpdateStatus: { State: 'paused', Message: 'update paused due to failure or early termination of task x' } }, tasks: [] };
  await assert.rejects(watch([paused], replicated(1)), (error: unknown) => {
    assert.ok(error instanceof ServiceUpdatePaused);
    assert.equal(error.message, 'service update paused: update paused due to failure or early termination of task x');
    return true;
  });
  const text = await watch([{ tasks: [task(1, 'pending')] }], { ...replicated(1), ID: 'web' }, { interruptAfter: 1 });
  assert.equal(text, 'overall progress: 0 out of 1 tasks\n1/1:  \noverall progress: 0 out of 1 tasks\nOperation continuing in background.\nUse `shoal service ps web` to check progress.\n');
});

test('a global service waits for its tasks, then counts nodes', async () => {
  const onNode = (node: string, state: string): ProgressTask => ({ ID: node, NodeID: node, DesiredState: 'running', Status: { State: state } });
  const text = await watch([{ tasks: [] }, { tasks: [onNode('n1', 'running'), onNode('n2', 'preparing')] }, { tasks: [onNode('n1', 'running'), onNode('n2', 'running')] }], {
    ID: 'g',
    Spec: { Mode: { Global: {} }, UpdateConfig: { Monitor: 2e8 } },
  });
  assert.equal(
    text,
    'overall progress: waiting for new tasks\noverall progress: 0 out of 2 tasks\noverall progress: 1 out of 2 tasks\noverall progress: 2 out of 2 tasks\n' +
      'verify: Waiting 1 seconds to verify that tasks are stable...\nverify: Service g converged\n',
  );
});

test('on a terminal every line is redrawn in place with docker\'s bar', () => {
  let out = '';
  const display = new ProgressDisplay((text) => (out += text), { terminal: true, columns: 120 });
  const show = (m: ProgressMessage) => display.show(m);
  show({ kind: 'progress', id: 'overall progress', action: '0 out of 1 tasks' });
  show({ kind: 'progress', id: '1/1', action: ' ' });
  show({ kind: 'progress', id: '1/1', action: 'running  ', current: 9, total: 9, hideCounts: true });
  const clear = '\x1b[1K\x1b[K';
  assert.equal(
    out,
    `\n\x1b[1A${clear}\roverall progress: 0 out of 1 tasks \r\x1b[1B` +
      `\n\x1b[1A${clear}\r1/1:   \r\x1b[1B` +
      `\x1b[1A${clear}\r1/1: running   [==================================================>] \r\x1b[1B`,
  );
  out = '';
  new ProgressDisplay((text) => (out += text), { terminal: true, columns: 80 }).show({ kind: 'progress', id: '1/1', action: 'starting ', current: 8, total: 9, hideCounts: true });
  assert.equal(out, `\n\x1b[1A${clear}\r1/1: starting  \r\x1b[1B`, 'no bar on a terminal of 110 columns or less');
});
