// VIP load balancing on real namespaces: a client sandbox and two backends on one bridge (standing in
// for an overlay network), busybox httpd as the TCP servers and a node UDP fixture as UDP servers.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { programVip, removeVip, renderVirtualAddress } from '../../../src/network/lb/vip.js';
import { NetworkSpecError } from '../../../src/network/lb/addresses.js';
import { NetnsLab, waitFor } from './netns-fixture.js';

const UDP_TOOL = new URL('./udp-tool.js', import.meta.url);
const VIP = '10.0.9.100';

interface Topology {
  lab: NetnsLab;
  client: string;
  backends: { ip: string; name: string; netns: string }[];
}

async function topology(t: TestContext, tag: string): Promise<Topology> {
  const lab = new NetnsLab(t, tag);
  const net = await lab.netns('net');
  await lab.bridge(net, 'br0');
  const client = await lab.netns('client');
  await lab.plug(client, 'eth0', '10.0.9.2/24', net, 'br0');
  const docroot = await mkdtemp(join(tmpdir(), 'shoal-vip-'));
  t.after(() => rm(docroot, { recursive: true, force: true }));
  const backends = [];
  for (const [i, name] of ['b1', 'b2'].entries()) {
    const ip = `10.0.9.${3 + i}`;
    const netns = await lab.netns(name);
    await lab.plug(netns, 'eth0', `${ip}/24`, net, 'br0');
    await mkdir(join(docroot, name));
    await writeFile(join(docroot, name, 'index.html'), name);
    lab.spawn(netns, ['busybox', 'httpd', '-f', '-p', '80', '-h', join(docroot, name)]);
    await lab.spawnNode(netns, UDP_TOOL, ['serve', '5353', name]).waitForLine((l) => l === 'ready');
    backends.push({ ip, name, netns });
  }
  for (const b of backends) await waitFor(`httpd on ${b.name}`, () => httpGet(lab, client, b.ip));
  return { lab, client, backends };
}

function httpGet(lab: NetnsLab, netns: string, hostPort: string): Promise<string> {
  return lab.httpGet(netns, hostPort);
}

async function httpAnswers(lab: NetnsLab, netns: string, host: string, count: number): Promise<string[]> {
  const answers = [];
  for (let i = 0; i < count; i++) answers.push(await httpGet(lab, netns, host));
  return answers;
}

function tally(answers: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answers) counts[a] = (counts[a] ?? 0) + 1;
  return counts;
}

test('VIP balancing spreads TCP connections over every backend and follows backend changes', async (t) => {
  const { lab, client, backends } = await topology(t, 'v');
  await programVip(client, { vip: VIP, ports: [{ protocol: 'tcp', port: 80 }], backends: backends.map((b) => b.ip) });
  assert.deepEqual(tally(await httpAnswers(lab, client, VIP, 6)), { b1: 3, b2: 3 });

  await programVip(client, { vip: VIP, ports: [{ protocol: 'tcp', port: 80 }], backends: [backends[1]!.ip] });
  assert.deepEqual(tally(await httpAnswers(lab, client, VIP, 4)), { b2: 4 }, 'a removed backend gets no new connections');

  await programVip(client, { vip: VIP, ports: [{ protocol: 'tcp', port: 80 }], backends: [] });
  await assert.rejects(httpGet(lab, client, VIP), /Connection refused|refused/i, 'no backend: refused at once, not a timeout');

  await removeVip(client, VIP);
  await removeVip(client, VIP);
  const table = await lab.exec(client, ['nft', 'list', 'table', 'ip', 'shoal_lb']);
  assert.doesNotMatch(table, /10\.0\.9\.100|vip_0a/, 'removeVip leaves no rule for the VIP (and is idempotent)');
});

test('VIP balancing spreads UDP flows and maps a VIP port to a different backend port', async (t) => {
  const { lab, client, backends } = await topology(t, 'u');
  await programVip(client, {
    vip: VIP,
    ports: [{ protocol: 'udp', port: 53, targetPort: 5353 }, { protocol: 'tcp', port: 8080, targetPort: 80 }],
    backends: backends.map((b) => b.ip),
  });
  const udp = await lab.exec(client, [process.execPath, UDP_TOOL.pathname, 'ask', VIP, '53', '4']);
  assert.deepEqual(tally(udp.trim().split('\n')), { b1: 2, b2: 2 });
  assert.deepEqual(tally(await httpAnswers(lab, client, `${VIP}:8080`, 2)), { b1: 1, b2: 1 });
});

test('a VIP spec with a bad address, port or duplicate is refused before nft runs', () => {
  assert.throws(() => renderVirtualAddress('10.0.0.256', []), NetworkSpecError);
  assert.throws(
    () => renderVirtualAddress(VIP, [{ protocol: 'tcp', port: 0, targets: [] }]),
    (e: unknown) => e instanceof NetworkSpecError && e.code === 'invalid-network-spec' && /invalid port 0/.test(e.message),
  );
  assert.throws(
    () => renderVirtualAddress(VIP, [{ protocol: 'tcp', port: 80, targets: [] }, { protocol: 'tcp', port: 80, targets: [] }]),
    /port tcp\/80 given twice/,
  );
  assert.throws(() => renderVirtualAddress(VIP, [{ protocol: 'tcp', port: 80, targets: [{ ip: '10.0.0.1; flush ruleset', port: 80 }] }]), NetworkSpecError);
});
