// The embedded DNS server on real namespaces: a "host" namespace with the gateway bridge
// (172.18.0.1) where the server runs (a node process started there), sandboxes plugged into that
// bridge with programSandboxDns, and a stub outside resolver reached over a 198.51.100.0/24 link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { programSandboxDns, removeSandboxDns } from '../../../src/network/dns/sandbox-dns.js';
import type { HostConfig } from './dns-tool.js';
import { NetnsLab } from '../lb/netns-fixture.js';

const DNS_TOOL = new URL('./dns-tool.js', import.meta.url);

const CONFIG: HostConfig = {
  listen: '172.18.0.1',
  upstream: '198.51.100.53',
  networks: {
    netA: {
      name: 'front',
      services: [
        { name: 'web', aliases: ['frontend'], endpointMode: 'vip', vip: '10.0.1.2', taskIps: ['10.0.1.5', '10.0.1.6'] },
        { name: 'cache', endpointMode: 'dnsrr', taskIps: ['10.0.1.7', '10.0.1.8'] },
      ],
      endpoints: [
        { names: ['db-1', 'database'], ipv4: '10.0.1.9' },
        { names: ['web.1.abc123'], ipv4: '10.0.1.5' },
      ],
    },
    netB: { name: 'back', services: [{ name: 'secret', endpointMode: 'vip', vip: '10.0.2.2', taskIps: ['10.0.2.5'] }], endpoints: [] },
  },
  sandboxes: {
    '172.18.0.2': { networks: ['netA'], external: true },
    '172.18.0.3': { networks: ['netB'], external: true },
    '172.18.0.4': { networks: ['netA'], external: false },
  },
};

interface Reply {
  rcode: number;
  truncated: boolean;
  answers: string[];
}

test('embedded DNS answers each sandbox from its own networks and forwards other names', async (t) => {
  const lab = new NetnsLab(t, 'd');
  const host = await lab.netns('host');
  await lab.bridge(host, 'gwbr', '172.18.0.1/16');
  const upstream = await lab.netns('up');
  await lab.link(host, 'up0', '198.51.100.1/24', upstream, 'eth0', '198.51.100.53/24');
  const sandboxes: Record<string, string> = {};
  for (const [name, ip] of [['a', '172.18.0.2'], ['b', '172.18.0.3'], ['int', '172.18.0.4'], ['stranger', '172.18.0.9']] as const) {
    const ns = await lab.netns(name);
    await lab.plug(ns, 'eth1', `${ip}/16`, host, 'gwbr');
    await lab.exec(ns, ['ip', 'route', 'add', 'default', 'via', '172.18.0.1']);
    const { resolvConf } = await programSandboxDns(ns, '172.18.0.1', { hostResolvConf: 'search corp.test\nnameserver 1.1.1.1\n' });
    assert.equal(resolvConf, 'nameserver 127.0.0.11\nsearch corp.test\noptions ndots:0\n');
    sandboxes[name] = ns;
  }
  const stub = lab.spawnNode(upstream, DNS_TOOL, ['stub']);
  const server = lab.spawnNode(host, DNS_TOOL, ['host', JSON.stringify(CONFIG)]);
  await Promise.all([stub.waitForLine((l) => l === 'ready'), server.waitForLine((l) => l === 'ready')]);

  const ask = async (sandbox: string, name: string, type = 'A', transport = 'udp'): Promise<Reply> =>
    JSON.parse(await lab.exec(sandboxes[sandbox]!, [process.execPath, DNS_TOOL.pathname, 'ask', name, type, transport], 30_000)) as Reply;
  const addresses = (answers: string[]): Reply => ({ rcode: 0, truncated: false, answers });
  const NXDOMAIN = { rcode: 3, truncated: false, answers: [] };

  assert.deepEqual(await ask('a', 'web'), addresses(['10.0.1.2']), 'service name → VIP');
  assert.deepEqual(await ask('a', 'Frontend.'), addresses(['10.0.1.2']), 'service alias, any case, FQDN form');
  assert.deepEqual(await ask('a', 'tasks.web'), addresses(['10.0.1.5', '10.0.1.6']), 'tasks.<service> → task IPs');
  assert.deepEqual(await ask('a', 'tasks.frontend'), addresses(['10.0.1.5', '10.0.1.6']), 'tasks.<alias> → task IPs');
  assert.deepEqual(await ask('a', 'cache'), addresses(['10.0.1.7', '10.0.1.8']), 'dnsrr service → task IPs');
  assert.deepEqual(await ask('a', 'db-1'), addresses(['10.0.1.9']), 'container name');
  assert.deepEqual(await ask('a', 'database'), addresses(['10.0.1.9']), 'container alias');
  assert.deepEqual(await ask('a', 'web.1.abc123'), addresses(['10.0.1.5']), 'task name');
  assert.deepEqual(await ask('a', 'web', 'AAAA'), addresses([]), 'a known name without IPv6 is NOERROR/empty, not forwarded');
  assert.deepEqual(await ask('a', '9.1.0.10.in-addr.arpa', 'PTR'), addresses(['db-1.front']), 'reverse lookup');
  assert.deepEqual(await ask('a', 'web', 'A', 'tcp'), addresses(['10.0.1.2']), 'TCP');

  assert.deepEqual(await ask('a', 'secret'), NXDOMAIN, 'a name on a network the asker is not on');
  assert.deepEqual(await ask('b', 'secret'), addresses(['10.0.2.2']));
  assert.deepEqual(await ask('b', 'web'), NXDOMAIN);

  assert.deepEqual(await ask('a', 'www.example.test'), addresses(['198.51.100.80']), 'forwarded over UDP');
  assert.deepEqual(await ask('a', 'www.example.test', 'A', 'tcp'), addresses(['198.51.100.80']), 'forwarded over TCP');
  assert.deepEqual(await ask('int', 'www.example.test'), { rcode: 2, truncated: false, answers: [] }, 'a sandbox without external access is not forwarded (SERVFAIL, as Docker answers)');
  assert.deepEqual(await ask('int', 'web'), addresses(['10.0.1.2']));
  assert.deepEqual(await ask('stranger', 'web'), { rcode: 5, truncated: false, answers: [] }, 'unknown source refused');

  const nslookup = await lab.exec(sandboxes['a']!, ['busybox', 'nslookup', '-type=a', 'web', '127.0.0.11']);
  assert.match(nslookup, /Address:\s*10\.0\.1\.2/, `busybox's resolver reads our answers: ${nslookup}`);

  await removeSandboxDns(sandboxes['a']!);
  await assert.rejects(ask('a', 'web'), 'after removeSandboxDns nothing answers at 127.0.0.11');
});
