// The routing mesh with the real docker CLI (the seed's first two walkthroughs, with busybox httpd
// for nginx): a service on a user-defined overlay publishing port 8080 in ingress mode answers on
// every node's address, including a node that runs none of its tasks, from tasks on both workers;
// a host-mode port answers only on the node running its task; once the service is removed the port stops answering and the workers leave the ingress network
// (which they still list, as every dockerd does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerOk, execOnHost, formSwarm, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { writeBusyboxSaveTar } from '../src/test-image.js';

/** GET / on addr:port from inside `from`'s namespace (the manager host: no task runs there). */
async function get(from: HostLayout, addr: string, port: number): Promise<string | undefined> {
  const r = await execOnHost(from, ['busybox', 'wget', '-qO-', `http://${addr}:${port}/`], { timeoutMs: 3_000 }).catch(() => undefined);
  return r?.code === 0 ? r.stdout.trim() : undefined;
}

test('a port published through the routing mesh answers on every node, also one without a task, from tasks on both workers', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2, socketTimeoutMs: 30_000 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1, w2] = cluster.hosts;
  assert.ok(m1 && w1 && w2);
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-overlay-mesh-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeBusyboxSaveTar(join(dir, 'busybox.tar'), 'busybox:latest');
  for (const w of [w1, w2]) await dockerOk(w, ['load', '-i', join(dir, 'busybox.tar')]);
  await dockerOk(m1, ['node', 'update', '--availability', 'drain', m1.name]);

  await dockerOk(m1, ['network', 'create', '-d', 'overlay', 'my-overlay']);
  await dockerOk(m1, [
    'service', 'create', '--detach', '--name', 'my-web', '--network', 'my-overlay', '--replicas', '2', '--replicas-max-per-node', '1',
    '--publish', 'published=8080,target=80', '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest',
    'sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www',
  ]);
  const hostnames = await waitFor('both tasks running', async () => {
    const names: string[] = [];
    for (const w of [w1, w2]) {
      const id = (await dockerOk(w, ['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=my-web'])).trim();
      if (id === '') return undefined;
      names.push((await dockerOk(w, ['inspect', '--format', '{{.Config.Hostname}}', id])).trim());
    }
    return names;
  }, { timeoutMs: 20_000, intervalMs: 200 });

  const answered = new Set<string>();
  for (const node of [m1, w1, w2]) {
    const first = await waitFor(`port 8080 answering on ${node.name}`, () => get(m1, node.addr, 8080), { timeoutMs: 15_000, intervalMs: 300 });
    assert.ok(hostnames.includes(first), `${node.name} answered ${JSON.stringify(first)}`);
    answered.add(first);
    for (let i = 0; i < 3; i++) answered.add((await get(m1, node.addr, 8080)) ?? '');
  }
  assert.deepEqual([...answered].sort(), [...hostnames].sort(), 'connections spread over the tasks on both workers');
  for (const w of [w1, w2]) {
    const ingress = JSON.parse(await dockerOk(w, ['network', 'inspect', 'ingress'])) as { Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string }> }[];
    const sbox = ingress[0]!.Containers['ingress-sbox'];
    assert.ok(sbox, `${w.name} joined ingress through its ingress-sbox`);
    assert.equal(sbox.Name, 'ingress-endpoint');
    assert.match(sbox.EndpointID, /^[0-9a-f]{64}$/);
    assert.match(`${sbox.MacAddress} ${sbox.IPv4Address}`, /^02:42(:[0-9a-f]{2}){4} \d+\.\d+\.\d+\.\d+\/\d+$/, 'the node\'s load-balancer address on ingress');
  }

  // Host mode binds only where a task runs.
  await dockerOk(m1, [
    'service', 'create', '--detach', '--name', 'host-web', '--network', 'my-overlay', '--constraint', `node.hostname==${w1.name}`,
    '--publish', 'published=8081,target=80,mode=host', '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest',
    'sh', '-c', 'mkdir -p /www && echo host-mode > /www/index.html && exec httpd -f -p 80 -h /www',
  ]);
  assert.equal(await waitFor('host-mode port 8081 on w1', () => get(m1, w1.addr, 8081), { timeoutMs: 15_000, intervalMs: 300 }), 'host-mode');
  for (const node of [m1, w2]) assert.equal(await get(m1, node.addr, 8081), undefined, `no host-mode port on ${node.name}, which runs no task of it`);
  await dockerOk(m1, ['service', 'rm', 'host-web']);
  await waitFor('host-mode port withdrawn', async () => ((await get(m1, w1.addr, 8081)) === undefined ? true : undefined), { timeoutMs: 15_000, intervalMs: 300 });

  await dockerOk(m1, ['service', 'rm', 'my-web']);
  await waitFor('port 8080 withdrawn on every node', async () => {
    for (const node of [m1, w1, w2]) if ((await get(m1, node.addr, 8080)) !== undefined) return undefined;
    return true;
  }, { timeoutMs: 15_000, intervalMs: 300 });
  for (const w of [w1, w2]) {
    await waitFor(`my-overlay gone from ${w.name}, and ingress-sbox from ingress`, async () => {
      const names = (await dockerOk(w, ['network', 'ls', '--format', '{{.Name}}'])).split('\n');
      const ingress = await dockerOk(w, ['network', 'inspect', '--format', '{{len .Containers}}', 'ingress']);
      return names.includes('my-overlay') || ingress.trim() !== '0' ? undefined : true;
    }, { timeoutMs: 15_000, intervalMs: 300 });
  }
  await dockerOk(m1, ['network', 'rm', 'my-overlay']);
});
