// DNS on an internal overlay with the real docker CLI: a task and a standalone container attached only
// to an `--internal` overlay resolve service names (VIP), aliases, tasks.<service>, task and container
// names through 127.0.0.11, across hosts, while they have no way out: no gateway interface, no default
// route, and outside names are not forwarded (SERVFAIL, as Docker's resolver answers such sandboxes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerCli, dockerOk, drainManager, formSwarm, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';

const SUBNET_PREFIX = '10.66.0.';

/** Addresses busybox nslookup printed (the server's own line, 127.0.0.11:53, has a port and is skipped). */
function addressesOf(nslookup: string): string[] {
  return [...nslookup.matchAll(/^Address:\s+(\d+\.\d+\.\d+\.\d+)$/gm)].map((m) => m[1]!).sort();
}

/** Runs `sh -c script` in a container; output and exit code whatever they are. */
async function sh(host: HostLayout, container: string, script: string): Promise<string> {
  return dockerOk(host, ['exec', container, 'sh', '-c', `${script} 2>&1; true`]);
}

async function taskAddress(manager: HostLayout, taskId: string): Promise<string> {
  const addr = await dockerOk(manager, ['inspect', '--type', 'task', '--format', '{{range .NetworksAttachments}}{{index .Addresses 0}}{{end}}', taskId]);
  return addr.trim().split('/')[0]!;
}

async function containerOf(host: HostLayout, service: string): Promise<{ id: string; name: string }> {
  const [id = '', name = ''] = (await dockerOk(host, ['ps', '--filter', `label=com.docker.swarm.service.name=${service}`, '--format', '{{.ID}} {{.Names}}'])).trim().split(' ');
  assert.notEqual(id, '', `a ${service} task container on ${host.name}`);
  return { id, name };
}

async function runningTasks(manager: HostLayout, service: string, n: number): Promise<{ id: string; node: string }[]> {
  return waitFor(`${n} running tasks of ${service}`, async () => {
    const out = await dockerOk(manager, ['service', 'ps', '--no-trunc', '--filter', 'desired-state=running', '--format', '{{.ID}}|{{.Node}}|{{.CurrentState}}', service]);
    const rows = out.trim().split('\n').filter((l) => l !== '').map((l) => l.split('|'));
    return rows.length === n && rows.every((r) => r[2]?.startsWith('Running')) ? rows.map(([id = '', node = '']) => ({ id, node })) : undefined;
  }, { timeoutMs: 60_000, intervalMs: 300 }).catch(async (err: unknown) => {
    process.stderr.write(`service ps ${service}:\n${await dockerOk(manager, ['service', 'ps', '--no-trunc', service]).catch(String)}\n`);
    throw err;
  });
}

test('a task and a container on an internal overlay only resolve names at 127.0.0.11, with no way out', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2, socketTimeoutMs: 30_000 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1, w2] = cluster.hosts;
  assert.ok(m1 && w1 && w2);
  await loadBusybox(dockerCli, [w1, w2]);
  await drainManager(m1);
  await dockerOk(m1, ['network', 'create', '-d', 'overlay', '--internal', '--attachable', '--subnet', `${SUBNET_PREFIX}0/24`, 'back']);

  await dockerOk(m1, [
    'service', 'create', '--detach', '--name', 'db', '--replicas', '2', '--replicas-max-per-node', '1', '--network', 'name=back,alias=database',
    '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest',
    'sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www',
  ]);
  await dockerOk(m1, [
    'service', 'create', '--detach', '--name', 'app', '--network', 'back', '--constraint', `node.hostname==${w1.name}`,
    '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest', 'sleep', '3600',
  ]);
  const dbTasks = await runningTasks(m1, 'db', 2);
  assert.deepEqual(dbTasks.map((x) => x.node).sort(), [w1.name, w2.name].sort());
  const dbIps = (await Promise.all(dbTasks.map((x) => taskAddress(m1, x.id)))).sort();
  const vip = (await dockerOk(m1, ['service', 'inspect', '--format', '{{range .Endpoint.VirtualIPs}}{{.Addr}}{{end}}', 'db'])).trim().split('/')[0]!;
  assert.ok(vip.startsWith(SUBNET_PREFIX), vip);
  await runningTasks(m1, 'app', 1);
  const app = await containerOf(w1, 'app');
  const dbOnW2 = await containerOf(w2, 'db');

  await dockerOk(w2, ['run', '-d', '--name', 'lonely', '--network', 'back', 'busybox:latest', 'sleep', '3600']);
  t.after(() => dockerCli(w2, ['rm', '-f', 'lonely']).then(() => undefined));
  const lonelyIp = (await dockerOk(w2, ['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'lonely'])).trim();
  assert.ok(lonelyIp.startsWith(SUBNET_PREFIX), lonelyIp);

  // No way out: the sandboxes have their overlay interface and loopback only, and no default route.
  for (const [host, container] of [[w1, app.id], [w2, 'lonely']] as const) {
    const links = (await sh(host, container, 'ip -o link show | cut -d: -f2')).trim().split('\n').map((l) => l.trim()).sort();
    assert.deepEqual(links.map((l) => l.split('@')[0]), ['eth0', 'lo'], `${container}: ${links.join(', ')}`);
    const routes = (await sh(host, container, 'ip route')).trim().split('\n');
    assert.deepEqual(routes.filter((r) => r.startsWith('default')), [], `no default route: ${routes.join('; ')}`);
    assert.match(await sh(host, container, 'cat /etc/resolv.conf'), /^nameserver 127\.0\.0\.11$/m);
  }

  const lookup = async (host: HostLayout, container: string, name: string): Promise<string[]> =>
    addressesOf(await sh(host, container, `nslookup ${name} 127.0.0.11`));
  // The agents learn the other node's endpoints from the managers: the first answers may lag a little.
  await waitFor('tasks.db lists both tasks from app', async () => ((await lookup(w1, app.id, 'tasks.db')).length === 2 ? true : undefined), { timeoutMs: 10_000, intervalMs: 300 });
  assert.deepEqual(await lookup(w1, app.id, 'db'), [vip], 'service name → VIP');
  assert.deepEqual(await lookup(w1, app.id, 'database'), [vip], 'service alias → VIP');
  assert.deepEqual(await lookup(w1, app.id, 'tasks.db'), dbIps, 'tasks.<service> → every task');
  // A task container is named <service>.<slot>.<task ID>.
  assert.deepEqual(await lookup(w1, app.id, dbOnW2.name), [await taskAddress(m1, dbOnW2.name.split('.')[2]!)], 'the name of a task on the other host');
  await waitFor('the container on the other host resolves from app', async () => ((await lookup(w1, app.id, 'lonely')).join() === lonelyIp ? true : undefined), { timeoutMs: 10_000, intervalMs: 300 });
  assert.deepEqual(await lookup(w2, 'lonely', 'db'), [vip], 'a standalone container resolves the service');
  assert.deepEqual(await lookup(w2, 'lonely', app.name), [await taskAddress(m1, (await runningTasks(m1, 'app', 1))[0]!.id)], 'and a task on another host by name');

  const outside = await sh(w1, app.id, 'nslookup www.example.com 127.0.0.11');
  assert.match(outside, /SERVFAIL/, `outside names are not resolved for an internal sandbox:\n${outside}`);
  assert.deepEqual(addressesOf(outside), []);

  // The VIP the name gives leads to a task: load balancing works on the internal overlay too. (busybox
  // nc rather than wget, whose static build crashes here.)
  const dbHostnames = await Promise.all([[w1, 'db'], [w2, 'db']].map(async ([h, s]) =>
    (await dockerOk(h as HostLayout, ['inspect', '--format', '{{.Config.Hostname}}', (await containerOf(h as HostLayout, s as string)).id])).trim()));
  let body = '';
  await waitFor('db answers through its VIP', async () => {
    body = (await sh(w1, app.id, `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${vip} 80`)).trim();
    return dbHostnames.includes(body.split('\n').at(-1)!.trim()) ? true : undefined;
  }, { timeoutMs: 10_000, intervalMs: 300 }).catch((err: unknown) => {
    throw new Error(`GET http://${vip}/ from app: ${JSON.stringify(body)}; db hostnames ${dbHostnames.join(', ')}`, { cause: err });
  });

  await dockerOk(w2, ['rm', '-f', 'lonely']);
  await dockerOk(m1, ['service', 'rm', 'app', 'db']);
});
