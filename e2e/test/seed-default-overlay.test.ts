// The seed's "Use the default overlay network" walkthrough with the real docker CLI, busybox httpd in
// place of nginx: every host lists ingress and docker_gwbridge; a 5-replica service on nginx-net
// publishing port 80 answers on every node; each host's `network inspect nginx-net` lists the tasks
// it runs; `service update --network-add nginx-net-2 --network-rm nginx-net` moves the tasks; clean-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerOk, execOnHost, formSwarm, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { writeBusyboxSaveTar } from '../src/test-image.js';

interface NetworkView {
  Name: string;
  Containers: Record<string, { Name: string }> | null;
}

/** Task containers of my-nginx each host lists in `network inspect`, by host. */
async function containersOn(hosts: readonly HostLayout[], network: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const h of hosts) {
    const [view] = JSON.parse(await dockerOk(h, ['network', 'inspect', network])) as NetworkView[];
    out.set(h.name, Object.values(view?.Containers ?? {}).map((c) => c.Name).filter((n) => n.startsWith('my-nginx.')).sort());
  }
  return out;
}

/** Task containers of my-nginx running on each host, by `docker ps`. */
async function tasksOn(hosts: readonly HostLayout[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const h of hosts) {
    const names = (await dockerOk(h, ['ps', '--filter', 'label=com.docker.swarm.service.name=my-nginx', '--format', '{{.Names}}'])).trim();
    out.set(h.name, names === '' ? [] : names.split('\n').sort());
  }
  return out;
}

test('seed walkthrough: the default overlay network with a 5-replica published service, moved to a second network', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2, socketTimeoutMs: 30_000 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const hosts = cluster.hosts;
  const manager = hosts[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-seed-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeBusyboxSaveTar(join(dir, 'busybox.tar'), 'busybox:latest');
  for (const h of hosts) await dockerOk(h, ['load', '-i', join(dir, 'busybox.tar')]);

  // Step 5 of "Create the swarm": every host lists ingress (overlay, swarm) and docker_gwbridge (bridge, local).
  for (const h of hosts) {
    await waitFor(`${h.name} lists ingress and docker_gwbridge`, async () => {
      const ls = await dockerOk(h, ['network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}']);
      return ls.includes('ingress overlay swarm') && ls.includes('docker_gwbridge bridge local') ? true : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200 });
  }

  await dockerOk(manager, ['network', 'create', '-d', 'overlay', 'nginx-net']);
  await dockerOk(manager, [
    'service', 'create', '--detach', '--name', 'my-nginx', '--publish', 'target=80,published=80', '--replicas=5', '--network', 'nginx-net',
    '--no-resolve-image', '--stop-grace-period', '1s', '--update-parallelism', '5', 'busybox:latest',
    'sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www',
  ]);
  await waitFor('my-nginx 5/5', async () => (/my-nginx\s+replicated\s+5\/5/.test(await dockerOk(manager, ['service', 'ls'])) ? true : undefined), { timeoutMs: 20_000, intervalMs: 300 });

  // Step 4: each host's nginx-net lists the service tasks it runs.
  const running = await tasksOn(hosts);
  assert.equal([...running.values()].flat().length, 5);
  await waitFor('nginx-net Containers match the tasks on each host', async () => {
    const listed = await containersOn(hosts, 'nginx-net');
    return hosts.every((h) => listed.get(h.name)!.join() === running.get(h.name)!.join()) ? true : undefined;
  }, { timeoutMs: 10_000, intervalMs: 300 });

  // Port 80 on every node reaches a task, whichever node runs it.
  for (const h of hosts) {
    const body = await waitFor(`port 80 on ${h.name}`, async () => {
      const r = await execOnHost(manager, ['busybox', 'wget', '-qO-', `http://${h.addr}:80/`], { timeoutMs: 3_000 }).catch(() => undefined);
      return r?.code === 0 ? r.stdout.trim() : undefined;
    }, { timeoutMs: 15_000, intervalMs: 300 });
    assert.match(body, /^[0-9a-f]{12}$/);
  }

  // Step 5 of "Create the services": ports and endpoints.
  const endpoint = JSON.parse(await dockerOk(manager, ['service', 'inspect', '--format', '{{json .Endpoint}}', 'my-nginx'])) as { Ports: { TargetPort: number; PublishedPort: number; PublishMode: string }[]; VirtualIPs: { NetworkID: string }[] };
  assert.deepEqual(endpoint.Ports.map((p) => [p.TargetPort, p.PublishedPort, p.PublishMode]), [[80, 80, 'ingress']]);
  assert.equal(endpoint.VirtualIPs.length, 2, 'a VIP on ingress and on nginx-net');

  // Steps 6-7: move the service to nginx-net-2.
  await dockerOk(manager, ['network', 'create', '-d', 'overlay', 'nginx-net-2']);
  await dockerOk(manager, ['service', 'update', '--detach', '--network-add', 'nginx-net-2', '--network-rm', 'nginx-net', 'my-nginx']);
  await waitFor('tasks moved from nginx-net to nginx-net-2', async () => {
    const moved = await tasksOn(hosts);
    if ([...moved.values()].flat().length !== 5) return undefined;
    const onOld = await containersOn(hosts, 'nginx-net').catch(() => new Map<string, string[]>());
    const onNew = await containersOn(hosts, 'nginx-net-2').catch(() => undefined);
    if (onNew === undefined) return undefined;
    const ok = hosts.every((h) => onNew.get(h.name)!.join() === moved.get(h.name)!.join() && (onOld.get(h.name) ?? []).length === 0);
    return ok ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 500 });

  // Step 8: clean up.
  await dockerOk(manager, ['service', 'rm', 'my-nginx']);
  for (const network of ['nginx-net', 'nginx-net-2']) {
    await waitFor(`${network} removable`, async () => ((await dockerOk(manager, ['network', 'rm', network]).catch(() => undefined)) === undefined ? undefined : true), {
      timeoutMs: 15_000,
      intervalMs: 500,
    });
  }
});
