// DispatcherLink against a real grpc-js Dispatcher server on 127.0.0.1 (insecure credentials: TLS is
// not what this boundary tests).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { AssignmentsType, DispatcherService, type DispatcherServer } from '@shoal/proto';
import { DispatcherLink } from '../../src/worker/dispatcher-link.js';
import type { Assignments } from '../../src/worker/task.js';

const WAIT_MS = 5000;

/** A manager whose Assignments stream sends `messages` at once. */
async function fakeManager(t: TestContext, messages: readonly ['full' | 'incremental', Assignments][]): Promise<string> {
  const impl: DispatcherServer = {
    session: (call) => call.emit('error', { code: grpc.status.UNIMPLEMENTED }),
    heartbeat: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED }),
    updateTaskStatus: (_call, cb) => cb(null, {}),
    assignments: (call) => {
      for (const [kind, changes] of messages) {
        call.write({ type: kind === 'full' ? AssignmentsType.FULL : AssignmentsType.INCREMENTAL, changesJson: Buffer.from(JSON.stringify(changes)) });
      }
    },
  };
  const server = new grpc.Server();
  server.addService(DispatcherService, impl);
  t.after(() => server.forceShutdown());
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return `127.0.0.1:${port}`;
}

const changes = (id: string): Assignments => ({ tasks: [], removed: [id], serviceNames: {} });

test('a message whose work is still going on does not hold back the messages behind it', async (t) => {
  const addr = await fakeManager(t, [
    ['full', changes('a')],
    ['incremental', changes('b')],
  ]);
  const seen: string[] = [];
  let secondSeen = () => {};
  const second = new Promise<void>((resolve) => (secondSeen = resolve));
  const link = new DispatcherLink({
    credentials: () => grpc.credentials.createInsecure(),
    channelOptions: {},
    // The first message's work never ends (a task stop waiting out a long grace period).
    onAssignments: (_kind, c) => {
      seen.push(c.removed.join());
      if (seen.length === 2) secondSeen();
      return seen.length === 1 ? new Promise<void>(() => {}) : Promise.resolve();
    },
    log: () => {},
  });
  t.after(() => link.stop());
  link.setSession('s1', addr);
  const bound = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), WAIT_MS).unref());
  assert.notEqual(await Promise.race([second, bound]), 'timeout', 'the second message reached the worker');
  assert.deepEqual(seen, ['a', 'b'], 'in arrival order');
});
