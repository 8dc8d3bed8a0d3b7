import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRootCa, verifyCaAgainstToken, type RootCa } from '../../src/ca/index.js';
import { defaultClusterSpec } from '../../src/control/defaults.js';
import { clusterObject, mergeClusterSpec, swarmView, updateSwarm, validateClusterSpec } from '../../src/control/swarm-ops.js';
import type { ClusterSpec } from '../../src/store/objects.js';
import { controlError, FakeControl } from './fake-context.js';

const SECOND_NS = 1_000_000_000;
let root: Promise<RootCa> | null = null;
const ca = () => (root ??= createRootCa());

test('mergeClusterSpec keeps the default for every zero value the docker CLI sends and takes the rest', () => {
  const merged = mergeClusterSpec(defaultClusterSpec, {
    Name: 'ignored',
    Labels: { team: 'x' },
    Orchestration: { TaskHistoryRetentionLimit: 0 },
    Raft: { SnapshotInterval: 0, ElectionTick: 20, HeartbeatTick: 0, KeepOldSnapshots: null },
    Dispatcher: { HeartbeatPeriod: 2 * SECOND_NS },
    CAConfig: { NodeCertExpiry: 0, ExternalCAs: '' },
    EncryptionConfig: {},
  });
  assert.deepEqual(merged, {
    ...defaultClusterSpec,
    Labels: { team: 'x' },
    Raft: { ...defaultClusterSpec.Raft, ElectionTick: 20 },
    Dispatcher: { HeartbeatPeriod: 2 * SECOND_NS },
  });
  assert.deepEqual(mergeClusterSpec(defaultClusterSpec, undefined), defaultClusterSpec);
  assert.deepEqual(mergeClusterSpec(defaultClusterSpec, { Labels: null }).Labels, {});
});

test('validateClusterSpec refuses each invalid setting with its own message', () => {
  const bad = (patch: (s: ClusterSpec) => ClusterSpec, message: string) =>
    assert.throws(() => validateClusterSpec(patch(defaultClusterSpec)), controlError('invalid-argument', message));
  validateClusterSpec(defaultClusterSpec);
  bad((s) => ({ ...s, Raft: { ...s.Raft, HeartbeatTick: 0 } }), 'invalid heartbeat tick: must be a positive integer');
  bad((s) => ({ ...s, Raft: { ...s.Raft, HeartbeatTick: 1.5 } }), 'invalid heartbeat tick: must be a positive integer');
  bad((s) => ({ ...s, Raft: { ...s.Raft, ElectionTick: 1, HeartbeatTick: 1 } }), 'ElectionTick must be greater than HeartbeatTick');
  bad((s) => ({ ...s, Orchestration: { TaskHistoryRetentionLimit: -1 } }), 'TaskHistoryRetentionLimit must be non-negative');
  bad((s) => ({ ...s, Dispatcher: { HeartbeatPeriod: SECOND_NS - 1 } }), 'heartbeat period must be at least 1s');
  bad((s) => ({ ...s, CAConfig: { NodeCertExpiry: 3599 * SECOND_NS } }), 'minimum certificate expiry time is: 1h0m0s');
});

test('the swarm view shows tokens and TLSInfo but never the CA key', async () => {
  const f = new FakeControl();
  const cluster = f.addCluster(await ca());
  const view = swarmView(cluster);
  const text = JSON.stringify(view);
  assert.equal(text.includes('PRIVATE KEY'), false);
  assert.equal('RootCA' in view, false);
  assert.deepEqual(view.JoinTokens, cluster.JoinTokens);
  assert.equal(view.ID, cluster.ID);
  const tls = view.TLSInfo as { TrustRoot: string };
  assert.equal(tls.TrustRoot, cluster.RootCA.CertPem);
});

test('swarm update changes the spec, keeps the name, and rotates only the token asked for', async () => {
  const f = new FakeControl();
  const before = f.addCluster(await ca());
  await updateSwarm(f.ctx, {
    version: before.Version.Index,
    spec: { Name: 'other', Dispatcher: { HeartbeatPeriod: 10 * SECOND_NS } } as Partial<ClusterSpec>,
    rotateWorkerToken: true,
    rotateManagerToken: false,
  });
  const after = clusterObject(f.ctx);
  assert.equal(after.Spec.Name, 'default');
  assert.equal(after.Spec.Dispatcher.HeartbeatPeriod, 10 * SECOND_NS);
  assert.notEqual(after.JoinTokens.Worker, before.JoinTokens.Worker);
  assert.equal(after.JoinTokens.Manager, before.JoinTokens.Manager);
  verifyCaAgainstToken(after.RootCA.CertPem, after.JoinTokens.Worker);
});

test('swarm update refuses a stale version and an invalid spec, changing nothing', async () => {
  const f = new FakeControl();
  const first = f.addCluster(await ca());
  const rotate = { rotateWorkerToken: true, rotateManagerToken: true };
  await updateSwarm(f.ctx, { version: first.Version.Index, spec: {}, ...rotate });
  const second = clusterObject(f.ctx);
  await assert.rejects(updateSwarm(f.ctx, { version: first.Version.Index, spec: {}, ...rotate }), controlError('conflict', 'update out of sequence'));
  await assert.rejects(
    updateSwarm(f.ctx, { version: second.Version.Index, spec: { Raft: { ElectionTick: 1, HeartbeatTick: 3 } } as Partial<ClusterSpec>, ...rotate }),
    controlError('invalid-argument', 'ElectionTick must be greater than HeartbeatTick'),
  );
  assert.deepEqual(clusterObject(f.ctx), second);
});

test('operations on a store without a cluster object report the swarm unavailable', () => {
  const f = new FakeControl();
  assert.throws(() => clusterObject(f.ctx), controlError('unavailable', 'the swarm has no cluster object yet'));
});
