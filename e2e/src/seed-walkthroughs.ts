// The seed's three overlay walkthroughs (../shared/seed/overlay-network-driver.md), each against a
// formed swarm and driven by any CliRunner, so the docker CLI and `shoal` run the same steps and the
// same assertions on what the user sees. busybox stands in for nginx and alpine.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliOk, execOnHost, nodeLs, waitFor, writeBusyboxSaveTar, type CliRunner, type HostLayout } from '@shoal/cli/cluster';

interface NetworkView {
  Name: string;
  Containers: Record<string, { Name: string }> | null;
}

const HTTPD = ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'];

/** `load -i` of the busybox test image on every host. */
export async function loadBusybox(cli: CliRunner, hosts: readonly HostLayout[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-busybox-'));
  try {
    writeBusyboxSaveTar(join(dir, 'busybox.tar'), 'busybox:latest');
    for (const h of hosts) await cliOk(cli, h, ['load', '-i', join(dir, 'busybox.tar')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Task containers of `service` each host lists in `network inspect`, by host. */
async function containersOn(cli: CliRunner, hosts: readonly HostLayout[], network: string, service: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const h of hosts) {
    const [view] = JSON.parse(await cliOk(cli, h, ['network', 'inspect', network])) as NetworkView[];
    out.set(h.name, Object.values(view?.Containers ?? {}).map((c) => c.Name).filter((n) => n.startsWith(`${service}.`)).sort());
  }
  return out;
}

/** Task containers of `service` running on each host, by `ps`. */
async function tasksOn(cli: CliRunner, hosts: readonly HostLayout[], service: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const h of hosts) {
    const names = (await cliOk(cli, h, ['ps', '--filter', `label=com.docker.swarm.service.name=${service}`, '--format', '{{.Names}}'])).trim();
    out.set(h.name, names === '' ? [] : names.split('\n').sort());
  }
  return out;
}

/** GET / on addr:port from inside `from`'s namespace; undefined when nothing answers. */
export async function httpGet(from: HostLayout, addr: string, port: number): Promise<string | undefined> {
  const r = await execOnHost(from, ['busybox', 'wget', '-qO-', `http://${addr}:${port}/`], { timeoutMs: 3_000 }).catch(() => undefined);
  return r?.code === 0 ? r.stdout.trim() : undefined;
}

/** `network rm`, retried while the last tasks' endpoints are still being released. */
async function removeNetworks(cli: CliRunner, host: HostLayout, networks: readonly string[]): Promise<void> {
  for (const network of networks) {
    await waitFor(`${network} removable`, async () => ((await cli(host, ['network', 'rm', network])).code === 0 ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 500,
    });
  }
}

/** "Use the default overlay network": hosts are [manager, worker-1, worker-2]. */
export async function defaultOverlayWalkthrough(cli: CliRunner, hosts: readonly HostLayout[]): Promise<void> {
  const manager = hosts[0]!;
  // Step 4 of "Create the swarm": node ls on the manager, also filtered by role.
  const nodes = await nodeLs(manager, cli);
  assert.deepEqual(nodes.map((n) => n.hostname).sort(), hosts.map((h) => h.name).sort());
  assert.ok(nodes.every((n) => n.status === 'Ready' && n.availability === 'Active'), JSON.stringify(nodes));
  assert.deepEqual(nodes.filter((n) => n.self).map((n) => [n.hostname, n.managerStatus]), [[manager.name, 'Leader']]);
  for (const [role, count] of [['manager', 1], ['worker', hosts.length - 1]] as const) {
    const table = (await cliOk(cli, manager, ['node', 'ls', '--filter', `role=${role}`])).trim().split('\n');
    assert.equal(table.length, count + 1, `node ls --filter role=${role}:\n${table.join('\n')}`);
  }
  // Step 5 of "Create the swarm": every host lists ingress (overlay, swarm) and docker_gwbridge (bridge, local).
  for (const h of hosts) {
    await waitFor(`${h.name} lists ingress and docker_gwbridge`, async () => {
      const ls = await cliOk(cli, h, ['network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}']);
      return ls.includes('ingress overlay swarm') && ls.includes('docker_gwbridge bridge local') ? true : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200 });
  }

  await cliOk(cli, manager, ['network', 'create', '-d', 'overlay', 'nginx-net']);
  await cliOk(cli, manager, [
    'service', 'create', '--detach', '--name', 'my-nginx', '--publish', 'target=80,published=80', '--replicas=5', '--network', 'nginx-net',
    '--no-resolve-image', '--stop-grace-period', '1s', '--update-parallelism', '5', 'busybox:latest', ...HTTPD,
  ]);
  await waitFor('my-nginx 5/5', async () => (/my-nginx\s+replicated\s+5\/5/.test(await cliOk(cli, manager, ['service', 'ls'])) ? true : undefined), {
    timeoutMs: 20_000,
    intervalMs: 300,
  });

  // Step 4: each host's nginx-net lists the service tasks it runs.
  const running = await tasksOn(cli, hosts, 'my-nginx');
  assert.equal([...running.values()].flat().length, 5);
  await waitFor('nginx-net Containers match the tasks on each host', async () => {
    const listed = await containersOn(cli, hosts, 'nginx-net', 'my-nginx');
    return hosts.every((h) => listed.get(h.name)!.join() === running.get(h.name)!.join()) ? true : undefined;
  }, { timeoutMs: 10_000, intervalMs: 300 });

  // Port 80 on every node reaches a task, whichever node runs it.
  for (const h of hosts) {
    const body = await waitFor(`port 80 on ${h.name}`, () => httpGet(manager, h.addr, 80), { timeoutMs: 15_000, intervalMs: 300 });
    assert.match(body, /^[0-9a-f]{12}$/);
  }

  // Step 5 of "Create the services": ports and endpoints.
  const endpoint = JSON.parse(await cliOk(cli, manager, ['service', 'inspect', '--format', '{{json .Endpoint}}', 'my-nginx'])) as {
    Ports: { TargetPort: number; PublishedPort: number; PublishMode: string }[];
    VirtualIPs: { NetworkID: string }[];
  };
  assert.deepEqual(endpoint.Ports.map((p) => [p.TargetPort, p.PublishedPort, p.PublishMode]), [[80, 80, 'ingress']]);
  assert.equal(endpoint.VirtualIPs.length, 2, 'a VIP on ingress and on nginx-net');

  // Steps 6-7: move the service to nginx-net-2.
  await cliOk(cli, manager, ['network', 'create', '-d', 'overlay', 'nginx-net-2']);
  await cliOk(cli, manager, ['service', 'update', '--detach', '--network-add', 'nginx-net-2', '--network-rm', 'nginx-net', 'my-nginx']);
  await waitFor('tasks moved from nginx-net to nginx-net-2', async () => {
    const moved = await tasksOn(cli, hosts, 'my-nginx');
    if ([...moved.values()].flat().length !== 5) return undefined;
    const onOld = await containersOn(cli, hosts, 'nginx-net', 'my-nginx').catch(() => new Map<string, string[]>());
    const onNew = await containersOn(cli, hosts, 'nginx-net-2', 'my-nginx').catch(() => undefined);
    if (onNew === undefined) return undefined;
    const ok = hosts.every((h) => onNew.get(h.name)!.join() === moved.get(h.name)!.join() && (onOld.get(h.name) ?? []).length === 0);
    return ok ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 500 });

  // Step 8: clean up.
  await cliOk(cli, manager, ['service', 'rm', 'my-nginx']);
  await removeNetworks(cli, manager, ['nginx-net', 'nginx-net-2']);
}

/** "Use a user-defined overlay network": hosts[0] is a manager; the task may land on any host. */
export async function userDefinedOverlayWalkthrough(cli: CliRunner, hosts: readonly HostLayout[]): Promise<void> {
  const manager = hosts[0]!;
  await cliOk(cli, manager, ['network', 'create', '-d', 'overlay', 'my-overlay']);
  await cliOk(cli, manager, [
    'service', 'create', '--detach', '--name', 'my-nginx', '--network', 'my-overlay', '--replicas', '1', '--publish', 'published=8080,target=80',
    '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest', ...HTTPD,
  ]);
  await waitFor('my-nginx 1/1', async () => (/my-nginx\s+replicated\s+1\/1/.test(await cliOk(cli, manager, ['service', 'ls'])) ? true : undefined), {
    timeoutMs: 20_000,
    intervalMs: 300,
  });

  // Step 3: `network inspect my-overlay` on the task's host lists the my-nginx task in Containers.
  const running = await tasksOn(cli, hosts, 'my-nginx');
  const [taskHostName, tasks] = [...running].find(([, names]) => names.length > 0) ?? assert.fail('no my-nginx task running');
  assert.equal(tasks.length, 1);
  const taskHost = hosts.find((h) => h.name === taskHostName)!;
  await waitFor(`my-overlay on ${taskHost.name} lists the my-nginx task`, async () => {
    const listed = await containersOn(cli, [taskHost], 'my-overlay', 'my-nginx');
    return listed.get(taskHost.name)!.join() === tasks.join() ? true : undefined;
  }, { timeoutMs: 10_000, intervalMs: 300 });
  const [container] = JSON.parse(await cliOk(cli, taskHost, ['inspect', tasks[0]!])) as { Config: { Hostname: string } }[];

  // Published port 8080 reaches the task from every node.
  for (const h of hosts) {
    assert.equal(await waitFor(`port 8080 on ${h.name}`, () => httpGet(manager, h.addr, 8080), { timeoutMs: 15_000, intervalMs: 300 }), container!.Config.Hostname);
  }

  // Step 4: clean up.
  await cliOk(cli, manager, ['service', 'rm', 'my-nginx']);
  await removeNetworks(cli, manager, ['my-overlay']);
}

async function networkIds(cli: CliRunner, host: HostLayout): Promise<Map<string, string>> {
  const out = await cliOk(cli, host, ['network', 'ls', '--format', '{{.Name}} {{.ID}}']);
  return new Map(out.trim().split('\n').map((l) => l.split(' ') as [string, string]));
}

/**
 * "Use an overlay network for standalone containers": host1 a manager, host2 another node; plus an
 * overlay that is not attachable refusing `run --network` with Docker's message.
 */
export async function attachableOverlayWalkthrough(cli: CliRunner, host1: HostLayout, host2: HostLayout): Promise<void> {
  const id = (await cliOk(cli, host1, ['network', 'create', '--driver=overlay', '--attachable', 'test-net'])).trim();
  await cliOk(cli, host1, ['run', '-d', '--name', 'alpine1', '--network', 'test-net', 'busybox', 'sh', '-c', 'while true; do ping -c 1 -W 1 alpine2; sleep 0.5; done']);
  // Step 4 on host2: ingress and docker_gwbridge are there, test-net is not yet.
  const before = await networkIds(cli, host2);
  assert.ok(before.has('ingress') && before.has('docker_gwbridge'), `host2 lists ingress and docker_gwbridge: ${[...before.keys()].join(', ')}`);
  assert.ok(!before.has('test-net'), "test-net doesn't exist on host2 yet");

  await cliOk(cli, host2, ['run', '-d', '--name', 'alpine2', '--network', 'test-net', 'busybox', 'sleep', '300']);
  assert.equal((await networkIds(cli, host2)).get('test-net'), id.slice(0, 12), 'test-net on host2 has the same ID');
  const alpine2Ip = (await cliOk(cli, host2, ['network', 'inspect', '--format', '{{range .Containers}}{{.IPv4Address}}{{end}}', 'test-net'])).trim().split('/')[0]!;
  assert.match(alpine2Ip, /^10\.0\.\d+\.\d+$/);
  await waitFor('alpine1 pings alpine2 by name across hosts', async () => {
    const log = await cliOk(cli, host1, ['logs', 'alpine1']);
    return log.includes(`PING alpine2 (${alpine2Ip})`) && log.includes(`bytes from ${alpine2Ip}:`) ? true : undefined;
  }, { timeoutMs: 10_000, intervalMs: 300 });

  // Another container on host2 pings alpine1, the other way across.
  const alpine3 = await cliOk(cli, host2, ['run', '--rm', '--name', 'alpine3', '--network', 'test-net', 'busybox', 'ping', '-c', '2', 'alpine1'], { timeoutMs: 20_000 });
  assert.match(alpine3, /2 packets transmitted, 2 packets received/);

  await cliOk(cli, host1, ['network', 'create', '-d', 'overlay', 'plain']);
  const refused = await cli(host1, ['run', '--rm', '--network', 'plain', 'busybox', 'true']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Could not attach to network plain: rpc error: code = PermissionDenied desc = network plain not manually attachable/);

  // Stopping alpine2 takes test-net off host2.
  await cliOk(cli, host2, ['container', 'stop', '-t', '1', 'alpine2']);
  await waitFor('test-net gone from host2', async () => (!(await networkIds(cli, host2)).has('test-net') ? true : undefined), { timeoutMs: 10_000, intervalMs: 200 });
  await cliOk(cli, host2, ['container', 'rm', 'alpine2']);
  await cliOk(cli, host1, ['container', 'rm', '-f', 'alpine1']);
  await removeNetworks(cli, host1, ['test-net', 'plain']);
}
