// The KeyManager loop on a real MemoryStore whose commits apply at once, with mocked time: the ring is
// made once, rotated on schedule, survives in the store (a snapshot restored elsewhere), and a new
// leader continues the schedule instead of starting it again.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ControlError } from '../../src/control/errors.js';
import { defaultClusterSpec } from '../../src/control/defaults.js';
import { sessionKeys } from '../../src/dispatcher/session-keys.js';
import { KeyManager } from '../../src/keys/key-manager.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Action } from '../../src/store/transaction.js';

const ROTATION_MS = 60_000;

function leader(t: TestContext, store: MemoryStore, commits: Action[][]): KeyManager {
  let index = store.appliedIndex;
  const keys = new KeyManager(
    {
      store,
      nowMs: () => Date.now(),
      commit: async (actions) => {
        commits.push([...actions]);
        const r = store.apply(++index, { actions, time: new Date().toISOString() });
        if (!r.ok) throw new ControlError('conflict', r.refusal.message);
      },
      onFatal: (_name, err) => assert.fail(`key manager stopped: ${String(err)}`),
    },
    { rotationMs: ROTATION_MS },
  );
  keys.run();
  t.after(() => keys.stop());
  return keys;
}

function newStore(): MemoryStore {
  const store = new MemoryStore();
  store.apply(1, {
    time: new Date(0).toISOString(),
    actions: [{
      op: 'create', table: 'cluster',
      object: { ID: 'c1', Spec: defaultClusterSpec, DefaultAddrPool: [], SubnetSize: 24, DataPathPort: 4789, JoinTokens: { Worker: 'w', Manager: 'm' }, RootCA: { CertPem: '', KeyPem: '' } },
    }],
  });
  return store;
}

const lamport = (store: MemoryStore) => store.list('cluster')[0]?.NetworkBootstrapKeys?.map((k) => k.LamportTime);

async function advance(t: TestContext, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 1_000) {
    t.mock.timers.tick(Math.min(1_000, left));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}

test('the leader gives a cluster without keys a ring of 3 in one commit, and rotates one key per interval', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const store = newStore();
  const commits: Action[][] = [];
  const keys = leader(t, store, commits);
  await advance(t, 10);
  await keys.idle();
  assert.deepEqual(lamport(store), [1, 2, 3]);
  assert.equal(commits.length, 1);
  const first = store.list('cluster')[0]!.NetworkBootstrapKeys!;

  await advance(t, ROTATION_MS - 2_000);
  assert.deepEqual(lamport(store), [1, 2, 3], 'not before the interval');
  await advance(t, 3_000);
  assert.deepEqual(lamport(store), [2, 3, 4]);
  assert.deepEqual(store.list('cluster')[0]!.NetworkBootstrapKeys!.slice(0, 2), first.slice(1));
  await advance(t, ROTATION_MS + 1_000);
  assert.deepEqual(lamport(store), [3, 4, 5]);
  assert.equal(commits.length, 3, 'one commit per rotation, none for the commits it caused');
});

test('the ring survives in the store: a new leader restored from a snapshot keeps it and rotates when the old schedule says', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 5_000_000 });
  const store = newStore();
  const old = leader(t, store, []);
  await advance(t, 10);
  await old.stop();
  const ring = store.list('cluster')[0]!.NetworkBootstrapKeys;
  assert.deepEqual(lamport(store), [1, 2, 3]);

  await advance(t, ROTATION_MS / 2);
  const restored = new MemoryStore();
  restored.restore(store.snapshot());
  const commits: Action[][] = [];
  leader(t, restored, commits);
  await advance(t, 10);
  assert.deepEqual(restored.list('cluster')[0]!.NetworkBootstrapKeys, ring, 'the new leader took the ring over unchanged');
  assert.equal(commits.length, 0, 'and did not rotate on taking over');
  await advance(t, ROTATION_MS / 2 - 2_000);
  assert.deepEqual(lamport(restored), [1, 2, 3]);
  await advance(t, 3_000);
  assert.deepEqual(lamport(restored), [2, 3, 4], 'it rotated when the old leader would have');
});

test('the session message carries the ring to agents as raw 16-byte keys with their Lamport times', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const store = newStore();
  assert.deepEqual(sessionKeys(store.list('cluster')[0]), [], 'no keys before the key manager ran');
  leader(t, store, []);
  await advance(t, 10);
  const cluster = store.list('cluster')[0]!;
  const sent = sessionKeys(cluster);
  assert.deepEqual(sent.map((k) => [k.subsystem, k.algorithm, k.key.length, k.lamportTime]), [
    ['networking:ipsec', 'AES_128_GCM', 16, 1], ['networking:ipsec', 'AES_128_GCM', 16, 2], ['networking:ipsec', 'AES_128_GCM', 16, 3],
  ]);
  assert.deepEqual(sent.map((k) => Buffer.from(k.key).toString('base64')), cluster.NetworkBootstrapKeys!.map((k) => k.Key));
});
