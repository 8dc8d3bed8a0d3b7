// `docker network connect/disconnect` with the real docker CLI: a running container on worker A
// (started without a swarm network) joins an attachable overlay with an alias; a container on worker B
// pings it by name and alias, and it pings back by name; after disconnect its name no longer resolves
// and its old address is unreachable; Docker's refusals; a created container connected before start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerCli, formSwarm, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';

interface Inspected {
  Id: string;
  NetworkSettings: { Networks: Record<string, { IPAddress: string; Aliases: string[] | null; NetworkID: string }> };
}

async function docker(host: HostLayout, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return dockerCli(host, args, { timeoutMs: 30_000 });
}

async function ok(host: HostLayout, args: readonly string[]): Promise<string> {
  const r = await docker(host, args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function refused(host: HostLayout, args: readonly string[], message: string): Promise<void> {
  const r = await docker(host, args);
  assert.notEqual(r.code, 0, `docker ${args.join(' ')} should fail`);
  assert.equal(r.stderr.trim(), `Error response from daemon: ${message}`);
}

async function inspect(host: HostLayout, name: string): Promise<Inspected> {
  return (JSON.parse(await ok(host, ['inspect', name])) as Inspected[])[0]!;
}

/** Whether `exec` of a ping from `from`'s container `probe` gets an answer from `target`. */
async function pings(host: HostLayout, probe: string, target: string): Promise<boolean> {
  return (await docker(host, ['exec', probe, 'ping', '-c', '1', '-W', '1', target])).code === 0;
}

test('network connect puts a running container on an attachable overlay with its name and aliases; disconnect takes it off', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2, socketTimeoutMs: 30_000 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [manager, a, b] = cluster.hosts;
  assert.ok(manager && a && b);
  await loadBusybox(dockerCli, [a, b]);
  await ok(manager, ['network', 'create', '--driver', 'overlay', '--attachable', 'test-net']);
  await ok(manager, ['network', 'create', '--driver', 'overlay', 'plain']);

  await ok(a, ['run', '-d', '--name', 'web', 'busybox', 'sleep', '300']);
  await ok(b, ['run', '-d', '--name', 'probe', '--network', 'test-net', 'busybox', 'sleep', '300']);
  await ok(a, ['network', 'connect', '--alias', 'www', 'test-net', 'web']);

  const web = await inspect(a, 'web');
  const onNet = web.NetworkSettings.Networks['test-net'];
  assert.ok(onNet, `inspect shows test-net: ${JSON.stringify(web.NetworkSettings.Networks)}`);
  assert.match(onNet.IPAddress, /^10\.0\.\d+\.\d+$/);
  assert.deepEqual(onNet.Aliases, ['www', web.Id.slice(0, 12)]);

  for (const name of ['web', 'www']) {
    await waitFor(`probe on ${b.name} pings ${name} on ${a.name}`, async () => ((await pings(b, 'probe', name)) ? true : undefined), { timeoutMs: 15_000, intervalMs: 300 });
  }
  await waitFor('web pings probe by name', async () => ((await pings(a, 'web', 'probe')) ? true : undefined), { timeoutMs: 10_000, intervalMs: 300 });

  // Docker's refusals.
  await refused(a, ['network', 'connect', 'test-net', 'web'], 'endpoint with name web already exists in network test-net');
  await refused(a, ['network', 'connect', 'plain', 'web'], 'Could not attach to network plain: rpc error: code = PermissionDenied desc = network plain not manually attachable');
  await refused(a, ['network', 'connect', 'test-net', 'nosuch'], 'No such container: nosuch');
  await refused(a, ['network', 'connect', 'nosuchnet', 'web'], 'network nosuchnet not found');
  // A worker knows only the swarm networks it has containers on, as dockerd's.
  await refused(b, ['network', 'disconnect', 'plain', 'probe'], 'network plain not found');

  await ok(a, ['network', 'disconnect', 'test-net', 'web']);
  assert.deepEqual(Object.keys((await inspect(a, 'web')).NetworkSettings.Networks), ['bridge'], 'back on the default bridge only');
  await waitFor('web no longer resolves on test-net', async () => {
    const r = await docker(b, ['exec', 'probe', 'ping', '-c', '1', '-W', '1', 'web']);
    return r.code !== 0 && /bad address/.test(r.stderr + r.stdout) ? true : undefined;
  }, { timeoutMs: 15_000, intervalMs: 300 });
  assert.equal(await pings(b, 'probe', onNet.IPAddress), false, 'the old address does not answer');
  // test-net left worker A with web; on worker B (probe keeps it there) a container not on it is refused.
  await refused(a, ['network', 'disconnect', 'test-net', 'web'], 'network test-net not found');
  await ok(b, ['run', '-d', '--name', 'idle', 'busybox', 'sleep', '300']);
  await refused(b, ['network', 'disconnect', 'test-net', 'idle'], `container ${(await inspect(b, 'idle')).Id} is not connected to network test-net`);

  // A created container connected before it starts is on the network once it runs.
  await ok(a, ['create', '--name', 'later', 'busybox', 'sleep', '300']);
  await ok(a, ['network', 'connect', 'test-net', 'later']);
  assert.equal((await inspect(a, 'later')).NetworkSettings.Networks['test-net']?.IPAddress, '');
  await ok(a, ['start', 'later']);
  await waitFor('probe pings later', async () => ((await pings(b, 'probe', 'later')) ? true : undefined), { timeoutMs: 15_000, intervalMs: 300 });

  await ok(a, ['rm', '-f', 'web', 'later']);
  await ok(b, ['rm', '-f', 'probe', 'idle']);
  await waitFor('test-net removable', async () => ((await docker(manager, ['network', 'rm', 'test-net', 'plain'])).code === 0 ? true : undefined), { timeoutMs: 15_000, intervalMs: 500 });
});
