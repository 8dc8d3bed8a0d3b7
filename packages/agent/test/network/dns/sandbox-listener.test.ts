// DNS for a sandbox with no way out (internal networks only): a namespace with nothing but its
// loopback, where the agent's server answers on sockets bound inside it by openSandboxSockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedDnsServer } from '../../../src/network/dns/server.js';
import { ServiceDirectory, type Asker } from '../../../src/network/dns/directory.js';
import { openSandboxSockets } from '../../../src/network/dns/sandbox-listener.js';
import { NetworkError } from '../../../src/network/errors.js';
import { NetnsLab } from '../lb/netns-fixture.js';

const DNS_TOOL = new URL('./dns-tool.js', import.meta.url);

interface Reply {
  rcode: number;
  truncated: boolean;
  answers: string[];
}

test('a sandbox without any link resolves its networks\' names at 127.0.0.11 and gets SERVFAIL for the rest', async (t) => {
  const lab = new NetnsLab(t, 'i');
  const ns = await lab.netns('int');
  const directory = new ServiceDirectory();
  directory.setNetwork('back', {
    name: 'backend',
    services: [{ name: 'db', aliases: ['database'], endpointMode: 'vip', vip: '10.9.0.2', taskIps: ['10.9.0.5', '10.9.0.6'] }],
    endpoints: [{ names: ['db.1.abc', 'db-primary'], ipv4: '10.9.0.5' }],
  });
  directory.setNetwork('other', { name: 'other', services: [{ name: 'api', endpointMode: 'vip', vip: '10.8.0.2', taskIps: [] }], endpoints: [] });
  // No upstreams at all: a bug that forwarded would answer NXDOMAIN, not SERVFAIL, and send nothing anywhere.
  const server = new EmbeddedDnsServer({ resolver: directory, upstreams: [] });
  t.after(() => server.close());
  let asker: Asker = { networks: ['back'], external: false };
  const close = server.serveSandbox(await openSandboxSockets(`/run/netns/${ns}`), () => asker);
  t.after(close);

  const ask = async (name: string, type = 'A', transport = 'udp'): Promise<Reply> =>
    JSON.parse(await lab.exec(ns, [process.execPath, DNS_TOOL.pathname, 'ask', name, type, transport], 30_000)) as Reply;
  const addresses = (answers: string[]): Reply => ({ rcode: 0, truncated: false, answers });
  const SERVFAIL: Reply = { rcode: 2, truncated: false, answers: [] };

  assert.equal((await lab.exec(ns, ['ip', '-4', 'route', 'show'])).trim(), '', 'the sandbox has no route anywhere');
  assert.deepEqual(await ask('db'), addresses(['10.9.0.2']), 'service name → VIP');
  assert.deepEqual(await ask('database'), addresses(['10.9.0.2']), 'service alias → VIP');
  assert.deepEqual(await ask('tasks.db'), addresses(['10.9.0.5', '10.9.0.6']), 'tasks.<service> → task IPs');
  assert.deepEqual(await ask('db-primary'), addresses(['10.9.0.5']), 'container alias');
  assert.deepEqual(await ask('db.1.abc', 'A', 'tcp'), addresses(['10.9.0.5']), 'task name over TCP');
  assert.deepEqual(await ask('5.0.9.10.in-addr.arpa', 'PTR'), addresses(['db.1.abc.backend']), 'reverse lookup');
  assert.deepEqual(await ask('api'), SERVFAIL, 'a name of a network the sandbox is not on');
  assert.deepEqual(await ask('www.example.test'), SERVFAIL, 'outside names are not forwarded');
  assert.deepEqual(await ask('www.example.test', 'MX', 'tcp'), SERVFAIL, 'nor any other type');

  asker = { networks: ['back', 'other'], external: false };
  assert.deepEqual(await ask('api'), addresses(['10.8.0.2']), 'the asker is read per query: a network connected later answers');

  await close();
  await assert.rejects(ask('db', 'A', 'tcp'), 'once closed nothing answers at 127.0.0.11');
});

test('openSandboxSockets fails with a NetworkError naming the sandbox when the address cannot be bound', async (t) => {
  const lab = new NetnsLab(t, 'j');
  const ns = await lab.netns('busy');
  const first = await openSandboxSockets(`/run/netns/${ns}`);
  t.after(() => {
    first.udp.close();
    first.tcp.close();
  });
  await assert.rejects(openSandboxSockets(`/run/netns/${ns}`, { timeoutMs: 5_000 }), (e: unknown) =>
    e instanceof NetworkError && e.code === 'command-failed' && e.message.includes(ns) && /EADDRINUSE/.test(e.message));
});
