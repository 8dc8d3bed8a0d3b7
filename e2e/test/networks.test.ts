// Networks with the real docker CLI against shoald on namespace hosts: create with every option,
// ls/inspect from several managers and a worker, Docker's error messages, rm/prune, ingress
// re-creation, allocation continuing without collision after kill -9 of the leader, and running out
// of addresses shown where users look (service create, service ps, service inspect, network inspect).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { docker, dockerCli, dockerOk, formSwarm, kill9, servicePs, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';

interface Row {
  id: string;
  name: string;
  driver: string;
  scope: string;
}

async function networkLs(host: HostLayout, args: string[] = []): Promise<Row[]> {
  const out = await dockerOk(host, ['network', 'ls', ...args]);
  const [header, ...lines] = out.trimEnd().split('\n');
  assert.match(header ?? '', /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/);
  return lines.map((line) => {
    const [id = '', name = '', driver = '', scope = ''] = line.trim().split(/\s+/);
    return { id, name, driver, scope };
  });
}

async function refused(host: HostLayout, args: string[], message: RegExp): Promise<void> {
  const r = await docker(host, args);
  assert.notEqual(r.code, 0, `${args.join(' ')} should fail`);
  assert.match(r.stderr, message);
}

const inspect = async (host: HostLayout, ref: string, format: string) => (await dockerOk(host, ['network', 'inspect', '--format', format, ref])).trim();

test('network create/ls/inspect/rm/prune with the docker CLI across managers and a worker', async (t) => {
  const cluster = await withCluster(t, { managers: 3, workers: 1 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, m2, m3, w1] = cluster.hosts;
  assert.ok(m1 && m2 && m3 && w1);

  const initial = await networkLs(m2);
  assert.deepEqual(initial.map((r) => `${r.name} ${r.driver} ${r.scope}`), ['bridge bridge local', 'docker_gwbridge bridge local', 'host host local', 'ingress overlay swarm', 'none null local']);
  assert.equal(await inspect(m3, 'ingress', '{{.Ingress}} {{json .IPAM.Config}} {{index .Options "com.docker.network.driver.overlay.vxlanid_list"}}'), 'true [{"Subnet":"10.0.0.0/24","Gateway":"10.0.0.1"}] 4096');

  const attachableId = (await dockerOk(m1, ['network', 'create', '-d', 'overlay', '--attachable', 'trace-net'])).trim();
  assert.match(attachableId, /^[0-9a-z]{25}$/);
  await dockerOk(m2, ['network', 'create', '-d', 'overlay', '--opt', 'encrypted', '--subnet', '10.77.0.0/24', '--gateway', '10.77.0.1', 'trace-enc']);
  await dockerOk(m3, [
    'network', 'create', '-d', 'overlay', '--internal', '--subnet', '10.88.0.0/16', '--ip-range', '10.88.1.0/24', '--aux-address', 'router=10.88.0.2',
    '--opt', 'com.docker.network.driver.mtu=1400', '--opt', 'com.docker.network.driver.overlay.vxlanid_list=5000', '--label', 'tier=back', 'full',
  ]);

  for (const host of [m1, m2, m3]) {
    const rows = await networkLs(host, ['--filter', 'driver=overlay']);
    assert.deepEqual(rows.map((r) => r.name), ['full', 'ingress', 'trace-enc', 'trace-net'], `overlays seen from ${host.name}`);
    assert.ok(rows.every((r) => r.scope === 'swarm' && r.id.length === 12));
  }
  assert.deepEqual((await networkLs(m1, ['--filter', 'label=tier=back'])).map((r) => r.name), ['full']);
  assert.deepEqual((await networkLs(m1, ['--filter', 'type=custom', '--filter', 'name=trace'])).map((r) => r.name), ['trace-enc', 'trace-net']);
  assert.deepEqual((await networkLs(m1, ['--no-trunc', '--filter', `id=${attachableId}`])).map((r) => r.id), [attachableId]);
  assert.ok((await dockerOk(m1, ['network', 'ls', '-q'])).trim().split('\n').includes(attachableId.slice(0, 12)));

  // A template naming .Id falls back to the raw JSON map in the CLI, whose keys print sorted.
  assert.equal(await inspect(m2, 'trace-net', '{{.Id}} {{.Scope}} {{.Driver}} {{.Attachable}} {{json .IPAM.Config}} {{json .Options}}'),
    `${attachableId} swarm overlay true [{"Gateway":"10.0.1.1","Subnet":"10.0.1.0/24"}] {"com.docker.network.driver.overlay.vxlanid_list":"4097"}`);
  assert.equal(await inspect(m1, 'trace-enc', '{{json .Options}} {{json .Labels}} {{json .Containers}}'), '{"com.docker.network.driver.overlay.vxlanid_list":"4098","encrypted":""} null null');
  assert.equal(await inspect(m1, 'full', '{{.Internal}} {{json .IPAM.Config}} {{json .Labels}} {{json .Options}}'),
    'true [{"Subnet":"10.88.0.0/16","IPRange":"10.88.1.0/24","Gateway":"10.88.0.1","AuxiliaryAddresses":{"router":"10.88.0.2"}}] {"tier":"back"} {"com.docker.network.driver.mtu":"1400","com.docker.network.driver.overlay.vxlanid_list":"5000"}');
  assert.equal(await inspect(m3, attachableId.slice(0, 7), '{{.Name}}'), 'trace-net', 'an ID prefix resolves');
  assert.equal((await dockerOk(m3, ['network', 'inspect', '--verbose', '--format', '{{json .Services}}', 'trace-net'])).trim(), '{}');

  await refused(m1, ['network', 'create', '-d', 'overlay', 'trace-net'], /^Error response from daemon: network with name trace-net already exists$/m);
  await refused(m2, ['network', 'create', '-d', 'overlay', '--subnet', '10.77.0.128/25', 'x'], /subnet 10\.77\.0\.128\/25 of network x overlaps subnet 10\.77\.0\.0\/24 of network trace-enc/);
  // The CLI itself refuses a gateway outside every subnet; the broadcast address reaches the daemon.
  await refused(m2, ['network', 'create', '-d', 'overlay', '--subnet', '10.99.0.0/24', '--gateway', '10.98.0.1', 'x'], /no matching subnet for gateway 10\.98\.0\.1/);
  await refused(m2, ['network', 'create', '-d', 'overlay', '--subnet', '10.99.0.0/24', '--gateway', '10.99.0.255', 'x'], /gateway 10\.99\.0\.255 of network x is the network or broadcast address of 10\.99\.0\.0\/24/);
  await refused(m3, ['network', 'create', '-d', 'overlay', '--ingress', 'ingress2'], /ingress network \(\w{25}\) is already present/);
  await refused(m3, ['network', 'create', '-d', 'overlay', '--ipv6', 'v6'], /IPv6 is not supported/);
  await refused(m1, ['network', 'create', '-d', 'overlay', '--opt', 'com.docker.network.driver.overlay.vxlanid_list=5000', 'x'], /VXLAN ID 5000 requested for network x is already in use/);
  // The CLI's default driver makes a network local to the node it asks, as dockerd's bridge does.
  await dockerOk(m1, ['network', 'create', 'plain']);
  assert.deepEqual((await networkLs(m1, ['--filter', 'name=plain'])).map((r) => `${r.name} ${r.driver} ${r.scope}`), ['plain bridge local']);
  assert.deepEqual(await networkLs(m2, ['--filter', 'name=plain']), [], 'a bridge network is not the swarm\'s');
  await refused(m1, ['network', 'create', 'trace-net'], /^Error response from daemon: network with name trace-net already exists$/m);
  assert.equal((await dockerOk(m1, ['network', 'rm', 'plain'])).trim(), 'plain');
  await refused(w1, ['network', 'create', '-d', 'overlay', 'from-worker'], /Cannot create a multi-host network from a worker node\. Please create the network from a manager node\./);
  const missing = await docker(m1, ['network', 'inspect', 'nosuch']);
  assert.deepEqual([missing.code, missing.stdout.trim()], [1, '[]']);
  assert.match(missing.stderr, /Error response from daemon: network nosuch not found/);
  await refused(m1, ['network', 'rm', 'nosuch-net'], /Error response from daemon: network nosuch-net not found/);
  await refused(m1, ['network', 'rm', 'host'], /host is a pre-defined network and cannot be removed/);

  assert.deepEqual((await networkLs(w1)).map((r) => r.name), ['bridge', 'docker_gwbridge', 'host', 'ingress', 'none'], 'a worker lists its local networks and the ingress overlay it joined');

  assert.deepEqual((await dockerOk(m2, ['network', 'rm', 'trace-net', 'trace-enc'])).trim().split('\n'), ['trace-net', 'trace-enc']);
  const removed = await docker(m1, ['network', 'rm', 'ingress'], { input: 'y\n' });
  assert.equal(removed.code, 0, removed.stderr);
  await dockerOk(m3, ['network', 'create', '-d', 'overlay', '--ingress', 'my-ingress']);
  assert.equal(await inspect(m1, 'my-ingress', '{{.Ingress}} {{json .IPAM.Config}}'), 'true [{"Subnet":"10.0.0.0/24","Gateway":"10.0.0.1"}]', 'the freed subnet is reused');
  await dockerOk(m1, ['network', 'create', '-d', 'overlay', 'leftover']);
  const pruned = await dockerOk(m2, ['network', 'prune', '-f']);
  assert.match(pruned, /Deleted Networks:\n(full\nleftover|leftover\nfull)\n/);
  assert.deepEqual((await networkLs(m3, ['--filter', 'scope=swarm'])).map((r) => r.name), ['my-ingress']);
});

test('allocation continues without collision after kill -9 of the leader', async (t) => {
  const cluster = await withCluster(t, { managers: 3 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, m2, m3] = cluster.hosts;
  assert.ok(m1 && m2 && m3);
  for (const name of ['a1', 'a2', 'a3']) await dockerOk(m2, ['network', 'create', '-d', 'overlay', name]);
  await dockerOk(m1, ['network', 'rm', 'a2']);
  await kill9(m1);
  await waitFor('a network create through m2 after the leader died', async () =>
    (await docker(m2, ['network', 'create', '-d', 'overlay', 'b1'])).code === 0 ? true : undefined,
  { timeoutMs: 15_000, intervalMs: 100 });
  for (const name of ['b2', 'b3']) await dockerOk(m3, ['network', 'create', '-d', 'overlay', name]);
  const format = '{{.Name}} {{(index .IPAM.Config 0).Subnet}} {{index .Options "com.docker.network.driver.overlay.vxlanid_list"}}';
  const rows = (await dockerOk(m3, ['network', 'inspect', '--format', format, 'ingress', 'a1', 'a3', 'b1', 'b2', 'b3'])).trim().split('\n');
  t.diagnostic(rows.join(' | '));
  const subnets = rows.map((r) => r.split(' ')[1]);
  const vnis = rows.map((r) => r.split(' ')[2]);
  assert.equal(new Set(subnets).size, 6, `distinct subnets: ${subnets.join(',')}`);
  assert.equal(new Set(vnis).size, 6, `distinct VNIs: ${vnis.join(',')}`);
  assert.deepEqual(rows.find((r) => r.startsWith('b1 ')), 'b1 10.0.2.0/24 4098', 'the new leader reuses what a2 freed first');
});

test('running out of addresses names the network in service create, service ps, service inspect and network inspect', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 1 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1] = cluster.hosts;
  assert.ok(m1 && w1);
  await loadBusybox(dockerCli, cluster.hosts);
  await dockerOk(m1, ['network', 'create', '-d', 'overlay', '--subnet', '10.99.0.0/28', 'tiny']);
  const reason = /could not find an available IP address on network tiny \(10\.99\.0\.0\/28\): address pool exhausted/;

  // 13 usable addresses after the gateway, one of them the VIP: 12 of 14 tasks fit.
  const created = await docker(m1, ['service', 'create', '--name', 'web', '--network', 'tiny', '--replicas', '14', 'busybox', 'sleep', '3600']);
  assert.notEqual(created.code, 0, 'the attached create stops instead of waiting forever');
  assert.match(created.stderr, /service update paused: \d+ tasks? waiting for an address: /);
  assert.match(created.stderr, reason);

  const waiting = (await servicePs(m1, 'web')).filter((row) => reason.test(row.error));
  assert.equal(waiting.length, 2, 'the two tasks without an address show the reason in service ps');
  const inspected = (await dockerOk(m1, ['service', 'inspect', '--format', '{{.UpdateStatus.State}}|{{.UpdateStatus.Message}}', 'web'])).trim();
  assert.equal(inspected.split('|')[0], 'paused');
  assert.match(inspected, new RegExp(`^paused\\|${waiting.length} tasks? waiting for an address: ${reason.source}$`));
  const status = JSON.parse(await dockerOk(m1, ['network', 'inspect', '--format', '{{json .Status}}', 'tiny'])) as { IPAM: { Subnets: Record<string, { DynamicIPsAvailable: number }> }; Message?: string };
  assert.equal(status.IPAM.Subnets['10.99.0.0/28']?.DynamicIPsAvailable, 0);
  assert.match(status.Message ?? '', reason);

  await dockerOk(m1, ['service', 'scale', '--detach', 'web=4']);
  await waitFor('the shortage to clear once the service fits', async () => {
    const now = JSON.parse(await dockerOk(m1, ['network', 'inspect', '--format', '{{json .Status}}', 'tiny'])) as typeof status;
    return now.Message === undefined && (now.IPAM.Subnets['10.99.0.0/28']?.DynamicIPsAvailable ?? 0) > 0 ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 250 });
  assert.equal((await dockerOk(m1, ['service', 'inspect', '--format', '{{json .UpdateStatus}}', 'web'])).trim(), 'null');
  await dockerOk(m1, ['service', 'rm', 'web']);
});
