// Service discovery and VIP load balancing across hosts with the real docker CLI: a client task
// resolves a service's name to its VIP and tasks.<service> to its tasks through the embedded DNS
// (127.0.0.11), and `wget -qO- http://web/` reaches busybox httpd tasks on both workers; a task on
// another overlay does not reach them, and a task on both overlays reaches both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerOk, formSwarm, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { writeBusyboxSaveTar } from '../src/test-image.js';

async function waitRunning(manager: HostLayout, service: string, n: number): Promise<string[]> {
  return waitFor(
    `${n} running tasks of ${service}`,
    async () => {
      const out = await dockerOk(manager, ['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.Node}}|{{.CurrentState}}', service]);
      const rows = out.trim().split('\n').filter((l) => l !== '').map((l) => l.split('|'));
      return rows.length === n && rows.every((r) => r[1]?.startsWith('Running')) ? rows.map((r) => r[0] ?? '') : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  );
}

/** Addresses busybox nslookup printed for `name` between the client's markers. */
function looked(log: string, name: string): string[] | undefined {
  const section = log.split(`== ${name}\n`)[1]?.split('== ')[0];
  if (section === undefined) return undefined;
  return [...section.matchAll(/^Address:\s+(\d+\.\d+\.\d+\.\d+)$/gm)].map((m) => m[1]!).filter((ip) => ip !== '127.0.0.11').sort();
}

test('a client task finds a service by name (VIP, tasks.<name>, task names) and reaches tasks on several hosts; overlays are isolated', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2, socketTimeoutMs: 30_000 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1, w2] = cluster.hosts;
  assert.ok(m1 && w1 && w2);
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-overlay-lb-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeBusyboxSaveTar(join(dir, 'busybox.tar'), 'busybox:latest');
  for (const w of [w1, w2]) await dockerOk(w, ['load', '-i', join(dir, 'busybox.tar')]);
  await dockerOk(m1, ['node', 'update', '--availability', 'drain', m1.name]);
  await dockerOk(m1, ['network', 'create', '-d', 'overlay', 'appnet']);

  // Each web task answers with its own container hostname.
  await dockerOk(m1, [
    'service', 'create', '--detach', '--name', 'web', '--replicas', '4', '--replicas-max-per-node', '2', '--network', 'name=appnet,alias=www',
    '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest',
    'sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www',
  ]);
  const webNodes = await waitRunning(m1, 'web', 4);
  assert.deepEqual([...new Set(webNodes)].sort(), [w1.name, w2.name].sort());
  const vip = (await dockerOk(m1, ['service', 'inspect', '--format', '{{range .Endpoint.VirtualIPs}}{{.Addr}}{{end}}', 'web'])).trim().split('/')[0]!;
  assert.match(vip, /^10\.0\.\d+\.\d+$/);
  const hostnames = new Map<string, string>();
  const taskIps: string[] = [];
  for (const id of (await dockerOk(m1, ['service', 'ps', '-q', '--filter', 'desired-state=running', 'web'])).trim().split('\n')) {
    const addr = await dockerOk(m1, ['inspect', '--type', 'task', '--format', '{{range .NetworksAttachments}}{{index .Addresses 0}}{{end}}', id]);
    taskIps.push(addr.trim().split('/')[0]!);
  }
  let web1 = '';
  for (const w of [w1, w2]) {
    for (const line of (await dockerOk(w, ['ps', '--filter', 'label=com.docker.swarm.service.name=web', '--format', '{{.ID}} {{.Names}}'])).trim().split('\n')) {
      const [id = '', name = ''] = line.split(' ');
      const hostname = (await dockerOk(w, ['inspect', '--format', '{{.Config.Hostname}}', id])).trim();
      hostnames.set(hostname, w.name);
      if (name.startsWith('web.1.')) web1 = name;
    }
  }
  assert.notEqual(web1, '');

  await dockerOk(m1, [
    'service', 'create', '--detach', '--name', 'client', '--network', 'appnet', '--constraint', `node.hostname==${w1.name}`,
    '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest',
    'sh', '-c', `for n in web www tasks.web ${web1}; do echo "== $n"; nslookup $n; done; echo '== end'; while true; do wget -qO- http://web/ 2>&1; sleep 0.1; done`,
  ]);
  await waitRunning(m1, 'client', 1);
  const client = (await dockerOk(w1, ['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=client'])).trim();
  const answers = await waitFor('answers from web tasks on both hosts', async () => {
    const lines = (await dockerOk(w1, ['logs', client])).trim().split('\n').filter((l) => hostnames.has(l));
    const hosts = new Set(lines.map((l) => hostnames.get(l)));
    return hosts.size === 2 && new Set(lines).size >= 3 ? lines : undefined;
  }, { timeoutMs: 15_000, intervalMs: 300 }).catch(async (err: unknown) => {
    t.diagnostic(`client log tail: ${(await dockerOk(w1, ['logs', '--tail', '5', client])).trim()}; web hostnames ${JSON.stringify([...hostnames])}`);
    throw err;
  });
  assert.ok(answers.length >= 3);
  const log = await dockerOk(w1, ['logs', client]);
  assert.deepEqual(looked(log, 'web'), [vip], 'the service name resolves to its VIP');
  assert.deepEqual(looked(log, 'www'), [vip], 'so does its network alias');
  assert.deepEqual(looked(log, 'tasks.web'), taskIps.sort(), 'tasks.<service> resolves to every task');
  assert.equal(looked(log, web1)?.length, 1, 'a task container name resolves to its address');
  assert.ok(taskIps.includes(looked(log, web1)![0]!));

  // Isolation: a task on another overlay does not reach web's tasks; a task on both overlays reaches both.
  await dockerOk(m1, ['network', 'create', '-d', 'overlay', 'othernet']);
  const target = taskIps[0]!;
  // (Not a DNS question: an unknown name is forwarded to the host's resolvers, outside the test's namespaces.)
  const probe = `while true; do ping -c 1 -W 1 ${target}; sleep 0.3; done`;
  await dockerOk(m1, ['service', 'create', '--detach', '--name', 'outsider', '--network', 'othernet', '--constraint', `node.hostname==${w2.name}`,
    '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest', 'sh', '-c', probe]);
  await waitRunning(m1, 'outsider', 1);
  const outsiderIp = (await dockerOk(m1, ['inspect', '--type', 'task', '--format', '{{range .NetworksAttachments}}{{index .Addresses 0}}{{end}}',
    (await dockerOk(m1, ['service', 'ps', '-q', '--filter', 'desired-state=running', 'outsider'])).trim()])).trim().split('/')[0]!;
  await dockerOk(m1, ['service', 'create', '--detach', '--name', 'bridge', '--network', 'appnet', '--network', 'othernet', '--constraint', `node.hostname==${w1.name}`,
    '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest', 'sh', '-c', `while true; do ping -c 1 -W 1 ${target}; ping -c 1 -W 1 ${outsiderIp}; sleep 0.3; done`]);
  await waitRunning(m1, 'bridge', 1);
  const bridge = (await dockerOk(w1, ['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=bridge'])).trim();
  await waitFor('a task on both networks reaches both', async () => {
    const l = await dockerOk(w1, ['logs', bridge]);
    return l.includes(`bytes from ${target}:`) && l.includes(`bytes from ${outsiderIp}:`) ? true : undefined;
  }, { timeoutMs: 15_000, intervalMs: 300 });
  const outsider = (await dockerOk(w2, ['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=outsider'])).trim();
  const outsiderLog = await waitFor('the outsider tried a few times', async () => {
    const l = await dockerOk(w2, ['logs', outsider]);
    return (l.match(/packets transmitted/g) ?? []).length >= 3 ? l : undefined;
  }, { timeoutMs: 10_000, intervalMs: 300 });
  assert.ok(!outsiderLog.includes(`bytes from ${target}:`), 'a task on another overlay does not reach web');

  await dockerOk(m1, ['service', 'rm', 'client', 'web', 'outsider', 'bridge']);
});
