// `swarm init/join --data-path-addr` with the real docker CLI: every host has a second underlay
// address, given as its data-path address. VXLAN must run between those (vxlan0's local address,
// the peers' FDB entries and network inspect's Peers), while Raft/gRPC stay on the advertise
// addresses, which is what node inspect and info show. Proof on the wire: in every host's namespace
// an nftables table counts VXLAN between data-path addresses and drops any VXLAN to or from an
// advertise address, and tasks on two hosts still reach each other over the overlay. (The table and
// the second addresses live in the hosts' namespaces, which the cluster's teardown deletes.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dockerCli, dockerOk, drainManager, execOnHost, waitFor, waitForNodes, withCluster, type HostLayout } from '../src/index.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';

const VXLAN_PORT = 4789;
const TABLE = 'e2e_data_path';

/** The host's data-path address: a second address on its underlay interface (hosts are .1, .2, .3). */
function dataPathAddr(host: HostLayout): string {
  const last = Number(host.addr.split('.')[3]);
  return `198.51.100.${100 + last}`;
}

async function onHost(host: HostLayout, argv: readonly string[], input?: string): Promise<string> {
  const r = await execOnHost(host, argv, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`${argv.join(' ')} on ${host.name} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

function vxlanCounters(advertise: readonly string[], dataPath: readonly string[]): string {
  return `table ip ${TABLE} {
  counter between_data_paths {}
  counter via_advertise {}
  chain output {
    type filter hook output priority 0; policy accept;
    udp dport ${VXLAN_PORT} ip saddr { ${advertise.join(', ')} } counter name via_advertise drop
    udp dport ${VXLAN_PORT} ip daddr { ${advertise.join(', ')} } counter name via_advertise drop
    udp dport ${VXLAN_PORT} ip saddr { ${dataPath.join(', ')} } ip daddr { ${dataPath.join(', ')} } counter name between_data_paths
  }
}
`;
}

async function packets(host: HostLayout, counter: string): Promise<number> {
  const out = JSON.parse(await onHost(host, ['nft', '-j', 'list', 'counter', 'ip', TABLE, counter])) as { nftables: { counter?: { packets: number } }[] };
  return out.nftables.find((x) => x.counter !== undefined)!.counter!.packets;
}

async function runningTasks(manager: HostLayout, service: string, n: number): Promise<{ id: string; node: string; ip: string }[]> {
  const rows = await waitFor(`${n} running tasks of ${service}`, async () => {
    const out = await dockerOk(manager, ['service', 'ps', '--no-trunc', '--filter', 'desired-state=running', '--format', '{{.ID}}|{{.Node}}|{{.CurrentState}}', service]);
    const rows = out.trim().split('\n').filter((l) => l !== '').map((l) => l.split('|'));
    return rows.length === n && rows.every((r) => r[2]?.startsWith('Running')) ? rows : undefined;
  }, { timeoutMs: 60_000, intervalMs: 300 }).catch(async (err: unknown) => {
    process.stderr.write(`service ps ${service}:\n${await dockerOk(manager, ['service', 'ps', '--no-trunc', service]).catch(String)}\n`);
    throw err;
  });
  return Promise.all(rows.map(async ([id = '', node = '']) => {
    const addr = await dockerOk(manager, ['inspect', '--type', 'task', '--format', '{{range .NetworksAttachments}}{{index .Addresses 0}}{{end}}', id]);
    return { id, node, ip: addr.trim().split('/')[0]! };
  }));
}

/** The overlay network's namespace on `host` (the data plane mounts it as <data root>/netns/1-…). */
function overlayNetns(host: HostLayout): string {
  const prefix = `${host.dataRoot}/netns/1-`;
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((p) => p.startsWith(prefix));
  assert.equal(mounts.length, 1, `one overlay namespace on ${host.name}: ${mounts.join(', ')}`);
  return mounts[0]!;
}

test('VXLAN runs between the hosts\' --data-path-addr addresses while the swarm talks on the advertise addresses', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2, socketTimeoutMs: 30_000 });
  const [m1, w1, w2] = cluster.hosts;
  assert.ok(m1 && w1 && w2);
  const hosts = [m1, w1, w2];
  for (const h of hosts) await onHost(h, ['ip', 'addr', 'add', `${dataPathAddr(h)}/24`, 'dev', 'eth0']);
  const advertise = hosts.map((h) => h.addr);
  const dataPath = hosts.map(dataPathAddr);
  for (const h of hosts) await onHost(h, ['nft', '-f', '-'], vxlanCounters(advertise, dataPath));

  await dockerOk(m1, ['swarm', 'init', '--advertise-addr', m1.addr, '--data-path-addr', dataPathAddr(m1), '--dispatcher-heartbeat', '1s']);
  const token = (await dockerOk(m1, ['swarm', 'join-token', '-q', 'worker'])).trim();
  for (const w of [w1, w2]) {
    await dockerOk(w, ['swarm', 'join', '--token', token, '--advertise-addr', w.addr, '--data-path-addr', dataPathAddr(w), `${m1.addr}:2377`], { timeoutMs: 60_000 });
  }
  await waitForNodes(m1, 3, (rows) => rows.every((r) => r.status === 'Ready'), 'every node Ready', 60_000);

  // The control plane: advertise addresses, in what users see and on the wire (gRPC sessions to 2377).
  for (const h of hosts) {
    assert.equal((await dockerOk(h, ['info', '--format', '{{.Swarm.NodeAddr}}'])).trim(), h.addr);
    const node = await dockerOk(m1, ['node', 'inspect', h.name]);
    assert.equal((JSON.parse(node) as { Status: { Addr: string } }[])[0]!.Status.Addr, h.addr);
    assert.ok(!node.includes(dataPathAddr(h)), `node inspect shows no data-path address, as dockerd: ${node}`);
  }
  const sessions = await onHost(m1, ['ss', '-Htn', 'state', 'established', '( sport = :2377 )']);
  for (const w of [w1, w2]) assert.match(sessions, new RegExp(`\\s${w.addr.replaceAll('.', '\\.')}:\\d+\\s*$`, 'm'), `${w.name} talks to the manager from its advertise address:\n${sessions}`);

  await loadBusybox(dockerCli, [w1, w2]);
  await drainManager(m1);
  await dockerOk(m1, ['network', 'create', '-d', 'overlay', '--subnet', '10.78.0.0/24', 'dp']);
  await dockerOk(m1, [
    'service', 'create', '--detach', '--name', 'pinger', '--replicas', '2', '--replicas-max-per-node', '1', '--network', 'dp',
    '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest',
    'sh', '-c', 'while true; do for i in 2 3 4 5; do ping -c 1 -W 1 10.78.0.$i; done; sleep 0.5; done',
  ]);
  const tasks = await runningTasks(m1, 'pinger', 2);
  assert.deepEqual(tasks.map((x) => x.node).sort(), [w1.name, w2.name].sort());

  for (const [host, other] of [[w1, w2], [w2, w1]] as const) {
    const peer = tasks.find((x) => x.node === other.name)!;
    const container = (await dockerOk(host, ['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=pinger'])).trim();
    await waitFor(`${host.name}'s task hears from ${peer.ip} on ${other.name}`, async () => {
      return (await dockerOk(host, ['logs', container])).includes(`bytes from ${peer.ip}:`) ? true : undefined;
    }, { timeoutMs: 20_000, intervalMs: 300 });

    const netns = overlayNetns(host);
    const vxlan = JSON.parse(await onHost(host, ['nsenter', `--net=${netns}`, '--', 'ip', '-d', '-j', 'link', 'show', 'vxlan0'])) as { linkinfo: { info_data: { local: string } } }[];
    assert.equal(vxlan[0]?.linkinfo.info_data.local, dataPathAddr(host), `${host.name}'s vxlan0 sends from its data-path address`);
    const fdb = await onHost(host, ['nsenter', `--net=${netns}`, '--', 'bridge', 'fdb', 'show', 'dev', 'vxlan0']);
    assert.match(fdb, new RegExp(`dst ${dataPathAddr(other).replaceAll('.', '\\.')} `), `${host.name}'s FDB points at ${other.name}'s data-path address:\n${fdb}`);
    assert.ok(!fdb.includes(`dst ${other.addr} `), `no FDB entry for an advertise address:\n${fdb}`);

    const inspect = JSON.parse(await dockerOk(host, ['network', 'inspect', 'dp'])) as { Peers: { IP: string }[] }[];
    assert.deepEqual(inspect[0]!.Peers.map((p) => p.IP), [dataPathAddr(w1), dataPathAddr(w2)].sort(), 'Peers are listed by data-path address, as dockerd lists them');
  }
  for (const w of [w1, w2]) {
    assert.ok((await packets(w, 'between_data_paths')) > 0, `${w.name} sent VXLAN between data-path addresses`);
    assert.equal(await packets(w, 'via_advertise'), 0, `${w.name} sent no VXLAN to or from an advertise address`);
  }

  await dockerOk(m1, ['service', 'rm', 'pinger']);
});
