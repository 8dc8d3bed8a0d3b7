// --force-new-cluster on a real LevelDB Raft directory written by a real RaftNode.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RaftNode, type RaftNodeOptions } from '@shoal/raft';
import { forceNewCluster } from '../../src/raft/force-new-cluster.js';
import { MemoryStore, type ApplyResult } from '../../src/store/memory-store.js';
import { StoreStateMachine } from '../../src/store/state-machine.js';
import { encodeTransaction, type Action } from '../../src/store/transaction.js';

const FAST: RaftNodeOptions = { tickMs: 10, electionTicks: 10, heartbeatTicks: 1, requestTimeoutMs: 3000, snapshotEveryEntries: 3, keepEntriesAfterSnapshot: 1 };
const TIME = '2030-01-15T12:00:00.000Z';

async function waitFor(what: string, probe: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function startNode(t: TestContext, dir: string, peers?: string[]) {
  const store = new MemoryStore();
  const node = await RaftNode.start<ApplyResult>(
    { id: 'm1', dir, transport: { send: () => {} }, stateMachine: new StoreStateMachine(store), ...(peers ? { peers } : {}) },
    FAST,
  );
  t.after(() => node.stop());
  await waitFor('m1 to lead', () => node.leaderId === 'm1');
  return { node, store };
}

function node(hostname: string): Action {
  return {
    op: 'create',
    table: 'node',
    object: { ID: `node-${hostname}`, Spec: { Labels: {}, Role: 'worker', Availability: 'active' }, Description: { Hostname: hostname }, Status: { State: 'ready', Addr: '10.0.0.9' } },
  };
}

test('force-new-cluster keeps every object, even entries this manager never saw committed, and leaves it the only member', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-fnc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));

  const first = await startNode(t, dir, ['m1']);
  for (const name of ['a', 'b', 'c', 'd', 'e']) {
    const result = await first.node.propose(encodeTransaction({ actions: [node(name)], time: TIME }));
    assert.deepEqual(result, { ok: true });
  }
  assert.ok(first.node.stats().snapshotsTaken > 0, 'the log should hold a snapshot as well as entries');
  // A second voter that never answers: the next write reaches this log but no quorum.
  await first.node.proposeConfChange({ type: 'add-voter', nodeId: 'm2' });
  const persisted = first.node.stats().persistedEntries;
  const stuck = first.node.propose(encodeTransaction({ actions: [node('uncommitted')], time: TIME })).catch((e: unknown) => e);
  await waitFor('the unacknowledged write to reach the log', () => first.node.stats().persistedEntries > persisted);
  await first.node.stop();
  assert.ok((await stuck) instanceof Error);

  const { index } = await forceNewCluster(dir, 'm1');
  assert.ok(index >= 8, `index ${index}`);

  const second = await startNode(t, dir);
  assert.deepEqual(second.node.membership, { voters: ['m1'], learners: [] });
  const names = second.store.list('node').map((n) => n.Description.Hostname).sort();
  assert.deepEqual(names, ['a', 'b', 'c', 'd', 'e', 'uncommitted']);
  // The new one-member cluster takes writes again.
  assert.deepEqual(await second.node.propose(encodeTransaction({ actions: [node('after')], time: TIME })), { ok: true });
  assert.ok(second.store.get('node', 'node-after'));
});
