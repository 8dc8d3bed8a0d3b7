// Names, addresses and paths of a cluster plan, and the options it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterError } from '../../src/cluster/errors.js';
import { isClusterNetns, planCluster, type LayoutOptions } from '../../src/cluster/layout.js';

const base: LayoutOptions = { name: 'demo', managers: 3, workers: 2, subnet: '198.51.100.0/24', stateRoot: '/run/x', dataRoot: '/var/lib/x' };

function refused(options: Partial<LayoutOptions>, message: RegExp): void {
  assert.throws(() => planCluster({ ...base, ...options }), (err: unknown) => {
    assert.ok(err instanceof ClusterError);
    assert.equal(err.code, 'INVALID_OPTIONS');
    assert.match(err.message, message);
    return true;
  });
}

test('plan names hosts by role and numbers addresses managers first', () => {
  const plan = planCluster(base);
  assert.deepEqual(
    plan.hosts.map((h) => `${h.name} ${h.netns} ${h.addr}/${h.prefixLength}`),
    [
      'demo-manager-1 shoal-demo-manager-1 198.51.100.1/24',
      'demo-manager-2 shoal-demo-manager-2 198.51.100.2/24',
      'demo-manager-3 shoal-demo-manager-3 198.51.100.3/24',
      'demo-worker-1 shoal-demo-worker-1 198.51.100.4/24',
      'demo-worker-2 shoal-demo-worker-2 198.51.100.5/24',
    ],
  );
  const w2 = plan.hosts[4]!;
  assert.equal(w2.socket, '/run/x/demo/w2/shoal.sock');
  assert.equal(w2.dataRoot, '/var/lib/x/demo/demo-worker-2');
  assert.equal(plan.switchNetns, 'shoal-demo-switch');
});

test('plan refuses bad names, counts and subnets with a message naming the problem', () => {
  refused({ name: 'Demo' }, /invalid cluster name "Demo"/);
  refused({ name: 'a--b' }, /invalid cluster name/);
  refused({ name: 'x'.repeat(25) }, /at most 24/);
  refused({ managers: 0, workers: 0 }, /at least one host/);
  refused({ workers: 1.5 }, /--workers must be a whole number/);
  refused({ subnet: '198.51.100.0' }, /invalid subnet "198.51.100.0"/);
  refused({ subnet: '198.51.100.7/24' }, /host bits are set \(did you mean 198.51.100.0\/24\?\)/);
  refused({ subnet: '198.51.100.0/30', managers: 3, workers: 0 }, /room for 2 hosts, not 3/);
});

test("a cluster's namespaces are told apart from those of a cluster whose name extends it", () => {
  assert.ok(isClusterNetns('t', 'shoal-t-manager-1'));
  assert.ok(isClusterNetns('t', 'shoal-t-worker-12'));
  assert.ok(isClusterNetns('t', 'shoal-t-switch'));
  assert.ok(!isClusterNetns('t', 'shoal-t-worker-manager-1'));
  assert.ok(!isClusterNetns('t', 'shoal-t-worker-switch'));
  assert.ok(!isClusterNetns('t-worker', 'shoal-t-worker-1'));
  assert.ok(!isClusterNetns('t', 'shoal-t-manager-0'));
  assert.ok(!isClusterNetns('t', 'other-t-manager-1'));
});
