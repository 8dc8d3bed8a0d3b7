// Overlay networks across hosts with the real docker CLI: service tasks on a user-defined overlay on
// two workers reach each other by address (VXLAN on the swarm's --data-path-port between the host
// namespaces, peers pushed by the managers), the network exists on a worker exactly while a task there uses it, and nothing of it
// (namespaces, sandboxes) is left once the service is removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerOk, execOnHost, waitFor, waitForNodes, withCluster, type HostLayout } from '../src/index.js';
import { writeBusyboxSaveTar } from '../src/test-image.js';

/** Namespace files the node's data plane has mounted (overlay networks `1-…`, sandboxes `sb-…`). */
function mountedNamespaces(host: HostLayout): string[] {
  const dir = `${host.dataRoot}/netns/`;
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((path) => path.startsWith(dir))
    .map((path) => path.slice(dir.length));
}

async function networkNames(host: HostLayout): Promise<string[]> {
  return (await dockerOk(host, ['network', 'ls', '--format', '{{.Name}}'])).trim().split('\n');
}

/** The running tasks of a service: node name and overlay address, once there are `n` of them. */
async function runningTasks(manager: HostLayout, service: string, n: number): Promise<{ id: string; node: string; ip: string }[]> {
  const rows = await waitFor(
    `${n} running tasks of ${service}`,
    async () => {
      const out = await dockerOk(manager, ['service', 'ps', '--no-trunc', '--filter', 'desired-state=running', '--format', '{{.ID}}|{{.Node}}|{{.CurrentState}}', service]);
      const rows = out.trim().split('\n').filter((l) => l !== '').map((l) => l.split('|'));
      return rows.length === n && rows.every((r) => r[2]?.startsWith('Running')) ? rows : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  return Promise.all(
    rows.map(async ([id = '', node = '']) => {
      const addr = (await dockerOk(manager, ['inspect', '--type', 'task', '--format', '{{range .NetworksAttachments}}{{index .Addresses 0}}{{end}}', id])).trim();
      return { id, node, ip: addr.split('/')[0] ?? '' };
    }),
  );
}

test('tasks of a service on a user overlay reach each other across hosts; the network lives on a worker only while a task uses it', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2, socketTimeoutMs: 30_000 });
  const [m1, w1, w2] = cluster.hosts;
  assert.ok(m1 && w1 && w2);
  // A data path port other than 4789: the VXLAN devices on every node must use it.
  await dockerOk(m1, ['swarm', 'init', '--advertise-addr', m1.addr, '--dispatcher-heartbeat', '1s', '--data-path-port', '4790']);
  const token = (await dockerOk(m1, ['swarm', 'join-token', '-q', 'worker'])).trim();
  for (const w of [w1, w2]) await dockerOk(w, ['swarm', 'join', '--token', token, '--advertise-addr', w.addr, `${m1.addr}:2377`], { timeoutMs: 30_000 });
  await waitForNodes(m1, 3, (rows) => rows.every((r) => r.status === 'Ready'), 'every node Ready');
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-overlay-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeBusyboxSaveTar(join(dir, 'busybox.tar'), 'busybox:latest');
  for (const w of [w1, w2]) await dockerOk(w, ['load', '-i', join(dir, 'busybox.tar')]);
  await dockerOk(m1, ['node', 'update', '--availability', 'drain', m1.name]);

  await dockerOk(m1, ['network', 'create', '-d', 'overlay', '--subnet', '10.77.0.0/24', 'ov1']);
  assert.ok(!(await networkNames(w1)).includes('ov1'), 'no task on w1 uses ov1 yet');
  // Each task pings every address the service can have; the other task's replies prove the overlay works.
  const script = 'while true; do for i in 2 3 4 5; do ping -c 1 -W 1 10.77.0.$i; done; sleep 0.5; done';
  await dockerOk(m1, [
    'service', 'create', '--detach', '--name', 'pinger', '--replicas', '2', '--replicas-max-per-node', '1', '--network', 'ov1',
    '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest', 'sh', '-c', script,
  ]);
  const tasks = await runningTasks(m1, 'pinger', 2);
  assert.deepEqual(tasks.map((x) => x.node).sort(), [w1.name, w2.name].sort());
  for (const x of tasks) assert.match(x.ip, /^10\.77\.0\.\d+$/);

  for (const [host, other] of [[w1, w2], [w2, w1]] as const) {
    const peer = tasks.find((x) => x.node === other.name)!;
    const container = (await dockerOk(host, ['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=pinger'])).trim();
    assert.notEqual(container, '');
    await waitFor(`${host.name}'s task hears from ${peer.ip} on ${other.name}`, async () => {
      const logs = await dockerOk(host, ['logs', container]);
      return logs.includes(`bytes from ${peer.ip}:`) ? true : undefined;
    }, { timeoutMs: 10_000, intervalMs: 300 });
    assert.ok((await networkNames(host)).includes('ov1'), `${host.name} lists ov1 while its task uses it`);
  }
  const netns = `${w1.dataRoot}/netns/${mountedNamespaces(w1).find((n) => n.startsWith('1-'))}`;
  const vxlan = JSON.parse((await execOnHost(w1, ['nsenter', `--net=${netns}`, '--', 'ip', '-d', '-j', 'link', 'show', 'vxlan0'])).stdout) as { linkinfo: { info_data: { port: number } } }[];
  assert.equal(vxlan[0]?.linkinfo.info_data.port, 4790, 'VXLAN on the cluster\'s data path port');
  const inspect = JSON.parse(await dockerOk(w1, ['network', 'inspect', 'ov1'])) as { Containers: Record<string, { Name: string; IPv4Address: string; EndpointID: string }>; Peers: { Name: string; IP: string }[] }[];
  const mine = tasks.find((x) => x.node === w1.name)!;
  assert.deepEqual(Object.values(inspect[0]!.Containers).map((c) => c.IPv4Address), [`${mine.ip}/24`]);
  const [endpoint] = Object.values(inspect[0]!.Containers);
  assert.match(endpoint!.Name, /^pinger\.\d\.[0-9a-z]{25}$/);
  assert.match(endpoint!.EndpointID, /^[0-9a-f]{64}$/, 'a 64-hex endpoint ID, as dockerd shows');
  const peers = [w1, w2].map((h) => ({ Name: h.name, IP: h.addr })).sort((a, b) => (a.IP < b.IP ? -1 : 1));
  assert.deepEqual(inspect[0]!.Peers, peers, 'Peers: every host with an endpoint on it, named by its hostname');
  const label = await dockerOk(w1, ['inspect', '--format', '{{.Name}} {{index .Config.Labels "com.docker.swarm.task.name"}}', endpoint!.Name]);
  const [containerName, taskNameLabel] = label.trim().split(' ');
  assert.equal(taskNameLabel, containerName!.replace(/^\//, ''), 'the task.name label is <service>.<slot>.<task id>, as dockerd sets it');

  await dockerOk(m1, ['service', 'rm', 'pinger']);
  for (const w of [w1, w2]) {
    // The sandbox namespace goes just after its last endpoint (and with it the network) is taken out.
    await waitFor(`ov1, its namespace and the task's sandbox gone from ${w.name}`, async () =>
      !(await networkNames(w)).includes('ov1') && mountedNamespaces(w).length === 0 ? true : undefined, { timeoutMs: 15_000, intervalMs: 200 });
  }
  await dockerOk(m1, ['network', 'rm', 'ov1']);
});
