// The harness's network, for real: hosts reach each other over the switch and nothing else, and the
// root namespace is left exactly as it was, during the cluster's life and after its teardown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { ClusterError, createCluster, destroyCluster, execOnHost, heal, partition, type Cluster } from '../../src/cluster/index.js';
import { snapshotRoot, uniqueName } from './helpers.js';

async function pingCode(from: Cluster['hosts'][number], addr: string): Promise<number> {
  return (await execOnHost(from, ['ping', '-c', '1', '-W', '1', addr], { timeoutMs: 5_000 })).code;
}

test('two hosts ping each other over the bridge and the root namespace is unchanged', async (t) => {
  const before = await snapshotRoot();
  const name = uniqueName();
  t.after(() => destroyCluster(name));
  const cluster = await createCluster({ name, managers: 1, workers: 1 });
  const [a, b] = cluster.hosts;
  assert.ok(a && b);
  assert.deepEqual([a.name, a.addr, b.name, b.addr], [`${name}-manager-1`, '198.51.100.1', `${name}-worker-1`, '198.51.100.2']);

  assert.equal(await pingCode(a, b.addr), 0);
  assert.equal(await pingCode(b, a.addr), 0);

  const during = await snapshotRoot();
  assert.equal(during.routes, before.routes, 'root IPv4 routes changed');
  assert.equal(during.routes6, before.routes6, 'root IPv6 routes changed');
  assert.deepEqual(during.links, before.links, 'root links changed');
  assert.deepEqual(during.nftTables, before.nftTables, 'root nftables tables changed');
});

test('hosts have no route out of the test subnet and MTU 1500', async (t) => {
  const name = uniqueName();
  t.after(() => destroyCluster(name));
  const cluster = await createCluster({ name, managers: 1, workers: 0 });
  const host = cluster.hosts[0]!;
  const routes = (await execOnHost(host, ['ip', 'route', 'show'])).stdout;
  assert.equal(routes.trim(), '198.51.100.0/24 dev eth0 proto kernel scope link src 198.51.100.1');
  const out = await execOnHost(host, ['ip', 'route', 'get', '192.0.2.1']);
  assert.notEqual(out.code, 0);
  assert.match(out.stderr, /Network is unreachable/);
  const link = (await execOnHost(host, ['ip', '-o', 'link', 'show', 'eth0'])).stdout;
  assert.match(link, /mtu 1500 /);
  assert.match((await execOnHost(host, ['ip', '-o', 'link', 'show', 'lo'])).stdout, /state UNKNOWN|,UP/);
});

test('teardown leaves no namespace, link, nftables table or directory behind', async (t) => {
  const before = await snapshotRoot();
  const name = uniqueName();
  t.after(() => destroyCluster(name));
  const cluster = await createCluster({ name, managers: 2, workers: 1 });
  await partition(cluster.hosts[0]!, cluster.hosts[1]!); // an nftables table inside two hosts
  assert.ok((await snapshotRoot()).netns.some((ns) => ns.includes(name)));

  assert.equal(await destroyCluster(name), true);
  const after = await snapshotRoot();
  assert.deepEqual(after.netns.filter((ns) => ns.includes(name)), []);
  assert.deepEqual(after.links, before.links);
  assert.deepEqual(after.nftTables, before.nftTables);
  assert.equal(after.routes, before.routes);
  assert.equal(existsSync(cluster.stateDir), false);
  assert.equal(existsSync(cluster.dataDir), false);
  assert.equal(await destroyCluster(name), false, 'a second teardown finds nothing');
});

test('partition cuts exactly the two hosts apart until heal', async (t) => {
  const name = uniqueName();
  t.after(() => destroyCluster(name));
  const cluster = await createCluster({ name, managers: 3, workers: 0 });
  const [a, b, c] = cluster.hosts;
  assert.ok(a && b && c);
  await partition(a, b);
  assert.notEqual(await pingCode(a, b.addr), 0);
  assert.notEqual(await pingCode(b, a.addr), 0);
  assert.equal(await pingCode(a, c.addr), 0);
  assert.equal(await pingCode(c, b.addr), 0);
  await heal(cluster.hosts);
  assert.equal(await pingCode(a, b.addr), 0);
  assert.deepEqual((await execOnHost(a, ['nft', 'list', 'tables'])).stdout, '');
});

test('a second cluster on the same subnet works alongside the first', async (t) => {
  const [one, two] = [uniqueName(), uniqueName()];
  t.after(() => destroyCluster(one));
  t.after(() => destroyCluster(two));
  const first = await createCluster({ name: one, managers: 2, workers: 0 });
  const second = await createCluster({ name: two, managers: 2, workers: 0 });
  assert.equal(await pingCode(first.hosts[0]!, first.hosts[1]!.addr), 0);
  assert.equal(await pingCode(second.hosts[1]!, second.hosts[0]!.addr), 0);
});

test('creating a cluster under a name in use is refused and leaves the existing one intact', async (t) => {
  const name = uniqueName();
  t.after(() => destroyCluster(name));
  const cluster = await createCluster({ name, managers: 2, workers: 0 });
  await assert.rejects(createCluster({ name, managers: 1, workers: 0 }), (err: unknown) => {
    assert.ok(err instanceof ClusterError);
    assert.equal(err.code, 'CLUSTER_EXISTS');
    assert.match(err.message, new RegExp(`cluster ${name} already exists .*shoal cluster down --name ${name}`));
    return true;
  });
  assert.equal(await pingCode(cluster.hosts[0]!, cluster.hosts[1]!.addr), 0);
});
