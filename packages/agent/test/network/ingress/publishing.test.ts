// Port publishing and the routing mesh on real namespaces. "node" is a host namespace with an
// underlay address (198.51.100.1) and a gateway bridge (172.18.0.1/16); "client" is another machine
// on the underlay. ingress-sbox has legs on the gateway bridge and on an "ingress" bridge standing in
// for the ingress overlay, where two tasks serve HTTP (busybox httpd) and UDP (node fixture).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PortPublisher, PublishError } from '../../../src/network/ingress/port-publisher.js';
import { IngressMesh } from '../../../src/network/ingress/mesh.js';
import { NetnsLab, waitFor } from '../lb/netns-fixture.js';

const UDP_TOOL = new URL('../lb/udp-tool.js', import.meta.url);

async function nodeWithClient(t: TestContext, tag: string) {
  const lab = new NetnsLab(t, tag);
  const docroot = await mkdtemp(join(tmpdir(), 'shoal-ingress-'));
  t.after(() => rm(docroot, { recursive: true, force: true }));
  const node = await lab.netns('node');
  const client = await lab.netns('client');
  await lab.link(node, 'eth0', '198.51.100.1/24', client, 'eth0', '198.51.100.10/24');
  await lab.bridge(node, 'gwbr', '172.18.0.1/16');
  const ports = new PortPublisher({ hostNetns: node, gatewayBridge: 'gwbr', sctpSupported: false });
  return { lab, docroot, node, client, ports };
}

async function tally(answers: Promise<string>[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const a of answers) counts[await a] = (counts[await a] ?? 0) + 1;
  return counts;
}

test('-p publishing reaches the container over TCP and UDP from another machine and from the node itself', async (t) => {
  const { lab, docroot, node, client, ports } = await nodeWithClient(t, 'p');
  const c1 = await lab.netns('c1');
  await lab.plug(c1, 'eth1', '172.18.0.3/16', node, 'gwbr');
  await lab.exec(c1, ['ip', 'route', 'add', 'default', 'via', '172.18.0.1']);
  await lab.httpd(c1, 'c1', docroot);
  await lab.spawnNode(c1, UDP_TOOL, ['serve', '5353', 'c1']).waitForLine((l) => l === 'ready');

  await ports.publish('c1', '172.18.0.3', [
    { protocol: 'tcp', publishedPort: 8080, targetPort: 80 },
    { protocol: 'udp', publishedPort: 8080, targetPort: 5353 },
  ]);
  assert.equal(await waitFor('published tcp', () => lab.httpGet(client, '198.51.100.1:8080')), 'c1');
  const udp = await lab.exec(client, [process.execPath, UDP_TOOL.pathname, 'ask', '198.51.100.1', '8080', '1'], 30_000);
  assert.equal(udp.trim(), 'c1');
  assert.equal(await lab.httpGet(node, '198.51.100.1:8080'), 'c1', 'the node reaches its own published port');
  assert.equal(await lab.httpGet(node, '127.0.0.1:8080'), 'c1', 'and through localhost');

  await assert.rejects(
    ports.publish('c2', '172.18.0.4', [{ protocol: 'tcp', publishedPort: 8080, targetPort: 80 }]),
    (e: unknown) => e instanceof PublishError && e.code === 'port-allocated' && /Bind for 0\.0\.0\.0:8080 failed: port is already allocated/.test(e.message),
  );
  await assert.rejects(
    ports.publish('c2', '172.18.0.4', [{ protocol: 'sctp', publishedPort: 8080, targetPort: 80 }]),
    (e: unknown) => e instanceof PublishError && e.code === 'protocol-unsupported' && /listen sctp4 0\.0\.0\.0:8080: socket: protocol not supported/.test(e.message),
  );

  // One address only: 8090 on the underlay address, 8091 on localhost.
  await ports.publish('c1-one-address', '172.18.0.3', [
    { protocol: 'tcp', publishedPort: 8090, targetPort: 80, hostIp: '198.51.100.1' },
    { protocol: 'tcp', publishedPort: 8091, targetPort: 80, hostIp: '127.0.0.1' },
  ]);
  assert.equal(await waitFor('8090 on the underlay address', () => lab.httpGet(client, '198.51.100.1:8090')), 'c1');
  await assert.rejects(lab.httpGet(node, '127.0.0.1:8090'), /refused/i, '8090 is not published on localhost');
  assert.equal(await lab.httpGet(node, '127.0.0.1:8091'), 'c1');
  await assert.rejects(lab.httpGet(client, '198.51.100.1:8091'), /refused/i, '8091 answers on localhost only');
  await assert.rejects(
    ports.publish('c2', '172.18.0.4', [{ protocol: 'tcp', publishedPort: 8091, targetPort: 80 }]),
    (e: unknown) => e instanceof PublishError && e.code === 'port-allocated' && /Bind for 0\.0\.0\.0:8091 failed: port is already allocated/.test(e.message),
    'all addresses overlap 127.0.0.1',
  );
  await ports.publish('c2', '172.18.0.4', [{ protocol: 'tcp', publishedPort: 8091, targetPort: 80, hostIp: '198.51.100.1' }]);
  await ports.unpublish('c2');
  await assert.rejects(
    ports.publish('c2', '172.18.0.4', [{ protocol: 'tcp', publishedPort: 8092, targetPort: 80, hostIp: '198.51.100.99' }]),
    (e: unknown) => e instanceof PublishError && e.code === 'address-unavailable' && /listen tcp4 198\.51\.100\.99:8092: bind: cannot assign requested address/.test(e.message),
  );
  await ports.unpublish('c1-one-address');
  await assert.rejects(lab.httpGet(node, '127.0.0.1:8091'), /refused/i);

  await ports.unpublish('c1');
  await assert.rejects(lab.httpGet(client, '198.51.100.1:8080'), /refused/i, 'an unpublished port is closed');
});

test('the routing mesh balances a published port over tasks behind ingress-sbox, TCP and UDP', async (t) => {
  const { lab, docroot, node, client, ports } = await nodeWithClient(t, 'm');
  const ingress = await lab.netns('ingress');
  await lab.bridge(ingress, 'br0');
  const sbox = await lab.netns('sbox');
  await lab.plug(sbox, 'eth1', '172.18.0.2/16', node, 'gwbr');
  await lab.plug(sbox, 'eth0', '10.255.0.2/16', ingress, 'br0');
  await lab.exec(sbox, ['ip', 'route', 'add', 'default', 'via', '172.18.0.1']);
  const tasks = [];
  for (const [name, ip] of [['t1', '10.255.0.5'], ['t2', '10.255.0.6']] as const) {
    const ns = await lab.netns(name);
    await lab.plug(ns, 'eth0', `${ip}/16`, ingress, 'br0');
    await lab.httpd(ns, name, docroot);
    await lab.spawnNode(ns, UDP_TOOL, ['serve', '5353', name]).waitForLine((l) => l === 'ready');
    tasks.push(ip);
  }
  const mesh = new IngressMesh({ sbox, sboxGatewayIp: '172.18.0.2', ports });
  await mesh.publish({ protocol: 'tcp', publishedPort: 80, targetPort: 80, backends: tasks });
  await mesh.publish({ protocol: 'udp', publishedPort: 53, targetPort: 5353, backends: tasks });

  await waitFor('mesh tcp', () => lab.httpGet(client, '198.51.100.1:80'));
  const got = await tally([1, 2, 3, 4].map(() => lab.httpGet(client, '198.51.100.1:80')));
  assert.deepEqual(got, { t1: 2, t2: 2 });
  const udp = await lab.exec(client, [process.execPath, UDP_TOOL.pathname, 'ask', '198.51.100.1', '53', '4'], 30_000);
  assert.deepEqual(udp.trim().split('\n').sort(), ['t1', 't1', 't2', 't2']);

  await mesh.publish({ protocol: 'tcp', publishedPort: 80, targetPort: 80, backends: [tasks[1]!] });
  assert.deepEqual(await tally([1, 2, 3].map(() => lab.httpGet(client, '198.51.100.1:80'))), { t2: 3 }, 'a removed task gets no new connections');

  await ports.publish('hostmode-task', '172.18.0.9', [{ protocol: 'tcp', publishedPort: 8081, targetPort: 80 }]);
  await assert.rejects(
    mesh.publish({ protocol: 'tcp', publishedPort: 8081, targetPort: 80, backends: tasks }),
    (e: unknown) => e instanceof PublishError && e.code === 'port-allocated',
    'a port held by host-mode publishing is refused to the mesh',
  );
  assert.equal(mesh.list().length, 2);
  assert.doesNotMatch(await lab.exec(sbox, ['nft', 'list', 'table', 'ip', 'shoal_lb']), /8081/, 'the refused port left nothing in ingress-sbox');

  await mesh.unpublish('tcp', 80);
  await assert.rejects(lab.httpGet(client, '198.51.100.1:80'), /refused/i);
  const stillUdp = await lab.exec(client, [process.execPath, UDP_TOOL.pathname, 'ask', '198.51.100.1', '53', '1'], 30_000);
  assert.match(stillUdp, /^t[12]$/m, 'withdrawing one port leaves the others');
  await mesh.unpublish('udp', 53);
  assert.deepEqual(mesh.list(), []);
});
