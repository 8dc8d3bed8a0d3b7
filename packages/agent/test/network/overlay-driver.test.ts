// OverlayDriver on real namespaces: two or three test hosts on a switch, a driver inside each, and
// sandboxes that ping each other over VXLAN. Pings run inside the test's own namespaces only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { command, ipJson } from '../../src/network/command.js';
import { macFromIp, networkNamespaceName, probeEsp, type OverlayNetworkSpec } from '../../src/network/index.js';
import { pings, reaches, RemoteError, testHosts, type TestHost } from './hosts.js';

const netA: OverlayNetworkSpec = { id: 'aaaaaaaaaaaaaaaaaaaaaaaaa', vni: 4097, subnet: '10.10.1.0/24', gateway: '10.10.1.1' };
/** Same subnet as A on purpose: only the VNI keeps them apart. */
const netB: OverlayNetworkSpec = { id: 'bbbbbbbbbbbbbbbbbbbbbbbbb', vni: 4098, subnet: '10.10.1.0/24', gateway: '10.10.1.1' };
const netI: OverlayNetworkSpec = { id: 'iiiiiiiiiiiiiiiiiiiiiiiii', vni: 4099, subnet: '10.10.9.0/24', gateway: '10.10.9.1', internal: true };

function peer(ip: string, host: TestHost) {
  return { ip, mac: macFromIp(ip), vtep: host.addr };
}

async function sandboxOn(host: TestHost, id: string, net: OverlayNetworkSpec, ip: string): Promise<string> {
  const netns = await host.driver.call('createSandbox', id);
  await host.driver.call('attach', id, net, { ip });
  return netns;
}

test('sandboxes on two hosts reach each other over the overlay, other VNIs do not, and a removed peer is unreachable', async (t) => {
  const [h1, h2] = (await testHosts(t, 2)) as [TestHost, TestHost];
  // h2 learns its peers before the network exists there (they are programmed when it arrives), h1 after.
  await h2.driver.call('setPeers', netA.id, [peer('10.10.1.2', h1), peer('10.10.1.3', h2)]);
  const a1 = await sandboxOn(h1, 'a1', netA, '10.10.1.2');
  const a2 = await sandboxOn(h2, 'a2', netA, '10.10.1.3');
  await h1.driver.call('setPeers', netA.id, [peer('10.10.1.2', h1), peer('10.10.1.3', h2)]);
  assert.equal(await reaches(a1, '10.10.1.3'), true, 'a1 → a2 over VXLAN');
  assert.equal(await reaches(a2, '10.10.1.2'), true, 'a2 → a1 over VXLAN');

  // Network B on h2 uses A's subnet and (wrongly) lists a1 as its peer: h1 has nothing on VNI 4098.
  const b2 = await sandboxOn(h2, 'b2', netB, '10.10.1.4');
  await h2.driver.call('setPeers', netB.id, [peer('10.10.1.2', h1)]);
  assert.equal(await pings(b2, '10.10.1.2'), false, 'b2 must not reach a1 (other VNI)');
  assert.equal(await pings(b2, '10.10.1.3'), false, 'b2 must not reach a2 (same host, other network)');

  await h1.driver.call('setPeers', netA.id, []);
  assert.equal(await pings(a1, '10.10.1.3'), false, 'a1 must not reach a2 once the peer is gone');
  assert.deepEqual(await ipJson(['neigh', 'show', 'dev', 'vxlan0', 'nud', 'permanent'], { netns: h1.files.path(networkNamespaceName(netA.id)) }), []);
});

test('a sandbox interface has the endpoint MAC, address and MTU 1450; the network namespace has br0 and vxlan0 with the VNI', async (t) => {
  const [h1] = (await testHosts(t, 1)) as [TestHost];
  const a1 = await sandboxOn(h1, 'a1', netA, '10.10.1.2');
  const [link] = await ipJson<{ mtu: number; address: string }>(['link', 'show', 'dev', 'eth0'], { netns: a1 });
  assert.equal(link?.mtu, 1450);
  assert.equal(link?.address, '02:42:0a:0a:01:02');
  const [addr] = await ipJson<{ addr_info: { local: string; prefixlen: number }[] }>(['-4', 'addr', 'show', 'dev', 'eth0'], { netns: a1 });
  assert.deepEqual(addr?.addr_info.map((a) => `${a.local}/${a.prefixlen}`), ['10.10.1.2/24']);
  const ns = h1.files.path(networkNamespaceName(netA.id));
  assert.equal(ns.endsWith('/1-aaaaaaaaaa'), true);
  const links = await ipJson<{ ifname: string; mtu: number; master?: string; linkinfo?: { info_kind: string; info_data?: { id?: number; port?: number; local?: string } } }>(
    ['-d', 'link', 'show'], { netns: ns },
  );
  const vx = links.find((l) => l.ifname === 'vxlan0');
  assert.equal(vx?.linkinfo?.info_data?.id, 4097);
  assert.equal(vx?.linkinfo?.info_data?.port, 4789);
  assert.equal(vx?.linkinfo?.info_data?.local, h1.addr);
  assert.equal(vx?.master, 'br0');
  assert.equal(vx?.mtu, 1450);
  const [br0] = await ipJson<{ addr_info: { local: string }[] }>(['-4', 'addr', 'show', 'dev', 'br0'], { netns: ns });
  assert.deepEqual(br0?.addr_info.map((a) => a.local), ['10.10.1.1']);
  const info = await h1.driver.call('sandboxInfo', 'a1');
  assert.equal(info?.netns, a1);
  assert.deepEqual(info?.endpoints.map((e) => [e.networkId, e.ifname, e.ip]), [[netA.id, 'eth0', '10.10.1.2']]);
  assert.equal(info?.gateway?.ifname, 'eth1');
});

test('a network exists on a node exactly while something there holds it', async (t) => {
  const [h1] = (await testHosts(t, 1)) as [TestHost];
  const ns = h1.files.path(networkNamespaceName(netA.id));
  await sandboxOn(h1, 's1', netA, '10.10.1.2');
  await sandboxOn(h1, 's2', netA, '10.10.1.3');
  await h1.driver.call('acquire', netA, 'lb');
  assert.deepEqual([...((await h1.driver.call('network', netA.id))?.holders ?? [])].sort(), ['lb', 'sandbox:s1', 'sandbox:s2']);
  await h1.driver.call('detach', 's1', netA.id);
  await h1.driver.call('removeSandbox', 's2');
  assert.equal(existsSync(ns), true, 'still held by lb');
  await h1.driver.call('release', netA.id, 'lb');
  assert.equal(await h1.driver.call('network', netA.id), undefined);
  assert.equal(existsSync(ns), false);
  assert.equal(existsSync(h1.files.path('sb-s2')), false);
  assert.deepEqual([...h1.files.mounted()], ['sb-s1']);
  // Nothing of the network is left in the host's namespace either.
  assert.deepEqual(await ipJson(['link', 'show', 'type', 'vxlan'], { netns: `/run/netns/${h1.netns}` }), []);
});

test('concurrent attaches to one network create it once; a second address on the same network is refused', async (t) => {
  const [h1] = (await testHosts(t, 1)) as [TestHost];
  const ids = ['c1', 'c2', 'c3', 'c4', 'c5'];
  await Promise.all(ids.map((id, i) => sandboxOn(h1, id, netA, `10.10.1.${i + 2}`)));
  assert.deepEqual([...((await h1.driver.call('network', netA.id))?.holders ?? [])].sort(), ids.map((id) => `sandbox:${id}`));
  assert.deepEqual([...h1.files.mounted()].filter((n) => n.startsWith('1-')), ['1-aaaaaaaaaa']);
  assert.equal(await reaches(h1.files.path('sb-c1'), '10.10.1.6'), true, 'sandboxes on one host reach each other on br0');
  await assert.rejects(h1.driver.call('attach', 'c1', netA, { ip: '10.10.1.9' }), (err: RemoteError) => {
    assert.equal(err.code, 'conflict');
    assert.equal(err.message, `sandbox c1 is already on network ${netA.id} with address 10.10.1.2`);
    return true;
  });
  assert.deepEqual(await h1.driver.call('attach', 'c1', netA, { ip: '10.10.1.2' }).then((e) => e.ifname), 'eth0');
});

test('sandboxes on non-internal networks get out through the gateway bridge with NAT; internal-only ones have no route out', async (t) => {
  const [h1, h2] = (await testHosts(t, 2)) as [TestHost, TestHost];
  const out = await sandboxOn(h1, 'out', netA, '10.10.1.2');
  const inner = await sandboxOn(h1, 'inner', netI, '10.10.9.2');
  const routes = await ipJson<{ dst: string; gateway?: string; dev: string }>(['route', 'show', 'default'], { netns: out });
  assert.deepEqual(routes.map((r) => [r.gateway, r.dev]), [['172.18.0.1', 'eth1']]);
  assert.equal(await reaches(out, h2.addr), true, 'out reaches the other host through docker_gwbridge');
  assert.deepEqual(await ipJson(['route', 'show', 'default'], { netns: inner }), []);
  assert.equal(await pings(inner, h2.addr), false);
  assert.equal((await h1.driver.call('sandboxInfo', 'inner'))?.gateway, undefined);
  // The reply came back to the sandbox, so the request left h1 from h1's own address (masquerade).
  const host = `/run/netns/${h1.netns}`;
  const ruleset = await command(['nft', 'list', 'table', 'ip', 'shoal-gwbridge'], { netns: host });
  assert.match(ruleset, /ip saddr 172\.18\.0\.0\/16 oifname != "docker_gwbridge" masquerade/);
  // Gateway bridge ports do not forward to each other (enable_icc=false): `inner` gains one and still cannot reach `out`.
  await h1.driver.call('attach', 'inner', netB, { ip: '10.10.1.9' });
  const innerGw = (await h1.driver.call('sandboxInfo', 'inner'))?.gateway;
  assert.notEqual(innerGw, undefined);
  const outGw = (await h1.driver.call('sandboxInfo', 'out'))?.gateway;
  assert.equal(await pings(inner, outGw!.ip), false);
  // Detaching the only non-internal network takes the gateway interface away again.
  await h1.driver.call('detach', 'inner', netB.id);
  assert.equal((await h1.driver.call('sandboxInfo', 'inner'))?.gateway, undefined);
  assert.deepEqual(await ipJson(['route', 'show', 'default'], { netns: inner }), []);
});

test('a gateway address handed to a new sandbox answers the node at once: its MAC follows the address', async (t) => {
  const [h1] = (await testHosts(t, 1)) as [TestHost];
  const host = `/run/netns/${h1.netns}`;
  await sandboxOn(h1, 'first', netA, '10.10.1.2');
  const first = (await h1.driver.call('sandboxInfo', 'first'))?.gateway;
  assert.ok(first);
  assert.equal(await reaches(host, first.ip), true, 'the node has a neighbour entry for it now');
  await h1.driver.call('removeSandbox', 'first');
  const netns = await sandboxOn(h1, 'second', netA, '10.10.1.3');
  const second = (await h1.driver.call('sandboxInfo', 'second'))?.gateway;
  assert.equal(second?.ip, first.ip, 'the freed gateway address is given again');
  const links = await ipJson<{ ifname: string; address: string }>(['link', 'show', second.ifname], { netns });
  assert.equal(links[0]?.address, macFromIp(second.ip));
  // One ping, no retries: a stale neighbour entry (the old sandbox's MAC) would drop it.
  assert.equal(await pings(host, second.ip), true);
});

test('reclaimStale removes what a crashed driver left that is no longer known and adopts the rest', async (t) => {
  const [h1, h2] = (await testHosts(t, 2)) as [TestHost, TestHost];
  const keep = await sandboxOn(h1, 'keep', netA, '10.10.1.2');
  await sandboxOn(h1, 'gone', netB, '10.10.1.5');
  const a2 = await sandboxOn(h2, 'a2', netA, '10.10.1.3');
  await h1.driver.call('setPeers', netA.id, [peer('10.10.1.3', h2)]);
  await h2.driver.call('setPeers', netA.id, [peer('10.10.1.2', h1)]);
  const host = `/run/netns/${h1.netns}`;
  // A VXLAN device a crash left between creating and moving it.
  await command(['ip', 'link', 'add', 'vx-00ffff-zzzzz', 'type', 'vxlan', 'id', '65535', 'dstport', '4789', 'nolearning'], { netns: host });
  await h1.driver.kill();
  const driver = h1.restartDriver();
  await driver.call('reclaimStale', { networks: [netA.id], sandboxes: ['keep'] });
  assert.deepEqual([...h1.files.mounted()].sort(), ['1-aaaaaaaaaa', 'sb-keep']);
  assert.deepEqual(await ipJson(['link', 'show', 'type', 'vxlan'], { netns: host }), []);
  assert.deepEqual((await driver.call('network', netA.id))?.holders, ['sandbox:keep']);
  assert.equal(await reaches(a2, '10.10.1.2'), true, 'the adopted sandbox still answers over the overlay');
  // Adopted peers are known: replacing them with nothing removes the kernel entries.
  await driver.call('setPeers', netA.id, []);
  assert.equal(await pings(keep, '10.10.1.3'), false);
  await driver.call('removeSandbox', 'keep');
  assert.deepEqual([...h1.files.mounted()], []);
});

test('a network that gets the VNI of a removed network still held here replaces what is left of the old one', async (t) => {
  const [h1] = (await testHosts(t, 1)) as [TestHost];
  await sandboxOn(h1, 'old', netA, '10.10.1.2');
  const reused: OverlayNetworkSpec = { id: 'ccccccccccccccccccccccccc', vni: netA.vni, subnet: '10.10.3.0/24', gateway: '10.10.3.1' };
  const fresh = await sandboxOn(h1, 'new', reused, '10.10.3.2');
  assert.equal(existsSync(h1.files.path(networkNamespaceName(netA.id))), false, 'the old network namespace is gone');
  const links = await ipJson<{ ifname: string; linkinfo?: { info_data?: { id?: number } } }>(['-d', 'link', 'show'], { netns: h1.files.path(networkNamespaceName(reused.id)) });
  assert.equal(links.find((l) => l.ifname === 'vxlan0')?.linkinfo?.info_data?.id, netA.vni);
  assert.equal(await pings(fresh, '10.10.3.1'), true, 'the new network works');
  await h1.driver.call('removeSandbox', 'old');
});

test('encrypted networks are refused where the kernel lacks ESP (or, with ESP, before the managers sent keys), and nothing is created', async (t) => {
  const [h1] = (await testHosts(t, 1)) as [TestHost];
  await h1.driver.call('createSandbox', 's');
  const secret = { ...netA, encrypted: true };
  const esp = await probeEsp();
  await assert.rejects(h1.driver.call('attach', 's', secret, { ip: '10.10.1.2' }), (err: RemoteError) => {
    assert.equal(err instanceof RemoteError, true);
    if (esp.supported) {
      assert.equal(err.code, 'encryption-keys-missing');
    } else {
      assert.equal(err.code, 'encryption-unsupported');
      assert.match(err.message, /^network a+: encrypted overlay networks need IPsec ESP, which this kernel lacks \(.+\)$/);
    }
    return true;
  });
  assert.deepEqual([...h1.files.mounted()], ['sb-s']);
  assert.equal(await h1.driver.call('network', netA.id), undefined);
  assert.equal((await h1.driver.call('sandboxInfo', 's'))?.endpoints.length, 0);
});
