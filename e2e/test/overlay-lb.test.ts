// Service discovery and VIP load balancing across hosts with the real docker CLI: a client task
// reaches a service of busybox httpd tasks spread over two workers through the service's VIP, and its
// connections are spread over tasks on both hosts.
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

test('a client task reaches a service by its VIP, spread over tasks on several hosts', async (t) => {
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
    'service', 'create', '--detach', '--name', 'web', '--replicas', '4', '--replicas-max-per-node', '2', '--network', 'appnet',
    '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest',
    'sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www',
  ]);
  const webNodes = await waitRunning(m1, 'web', 4);
  assert.deepEqual([...new Set(webNodes)].sort(), [w1.name, w2.name].sort());
  const vip = (await dockerOk(m1, ['service', 'inspect', '--format', '{{range .Endpoint.VirtualIPs}}{{.Addr}}{{end}}', 'web'])).trim().split('/')[0]!;
  assert.match(vip, /^10\.0\.\d+\.\d+$/);
  const hostnames = new Map<string, string>();
  for (const w of [w1, w2]) {
    for (const line of (await dockerOk(w, ['ps', '--filter', 'label=com.docker.swarm.service.name=web', '--format', '{{.ID}}'])).trim().split('\n')) {
      const hostname = (await dockerOk(w, ['inspect', '--format', '{{.Config.Hostname}}', line])).trim();
      hostnames.set(hostname, w.name);
    }
  }

  await dockerOk(m1, [
    'service', 'create', '--detach', '--name', 'client', '--network', 'appnet', '--constraint', `node.hostname==${w1.name}`,
    '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest',
    'sh', '-c', `while true; do wget -qO- http://${vip}/ 2>&1; sleep 0.1; done`,
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

  await dockerOk(m1, ['service', 'rm', 'client', 'web']);
});
