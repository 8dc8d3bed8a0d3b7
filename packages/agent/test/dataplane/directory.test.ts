// The agent's mirror of the managers' network directory, and what it derives: peers per network and
// the VIPs a sandbox balances (pure; the kernel side is covered by e2e/test/overlay*.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkDirectoryMirror } from '../../src/dataplane/directory.js';
import { nodesOf, peersOf, wantedVips } from '../../src/dataplane/dataplane.js';
import { renderServiceVip } from '../../src/dataplane/service-vips.js';
import type { EndpointInfo, NetworkChange, NetworkInfo, ServiceInfo } from '../../src/dataplane/types.js';

const net = (id: string): NetworkInfo => ({ ID: id, Name: id, Vni: 4097, Subnet: '10.0.1.0/24', Gateway: '10.0.1.1', Internal: false, Encrypted: false, Attachable: false, Ingress: false });
const ep = (id: string, service: string, addr: string, vtep: string): EndpointInfo => ({ ID: id, ServiceID: service, NodeID: vtep, Names: [], Addr: addr, Mac: `02:42:0a:00:01:0${addr.slice(-1)}`, Vtep: vtep });
const svc = (id: string, mode: 'vip' | 'dnsrr', vip?: string): ServiceInfo => ({ ID: id, Name: id, Mode: mode, ...(vip ? { Vip: vip } : {}), Aliases: [], Ports: [] });
const change = (info: NetworkInfo, endpoints: EndpointInfo[], services: ServiceInfo[], removedEndpoints: string[] = []): NetworkChange =>
  ({ Network: info, Endpoints: endpoints, RemovedEndpoints: removedEndpoints, Services: services, RemovedServices: [] });

test('the mirror takes a full directory, then patches endpoints; a full message drops networks it does not list', () => {
  const m = new NetworkDirectoryMirror();
  m.apply('full', [change(net('netA000000'), [ep('t1', 'web', '10.0.1.3', '198.51.100.2'), ep('t2', 'web', '10.0.1.4', '198.51.100.3')], [svc('web', 'vip', '10.0.1.2')])], []);
  let delta = m.apply('incremental', [change(net('netA000000'), [ep('t3', 'web', '10.0.1.5', '198.51.100.3')], [], ['t1'])], []);
  assert.deepEqual(delta, { changed: ['netA000000'], removed: [] });
  assert.deepEqual(peersOf(m.get('netA000000')!).map((p) => [p.ip, p.vtep]), [['10.0.1.4', '198.51.100.3'], ['10.0.1.5', '198.51.100.3']]);
  delta = m.apply('full', [change(net('netB000000'), [], [])], []);
  assert.deepEqual(delta, { changed: ['netB000000'], removed: ['netA000000'] });
  assert.equal(m.get('netA000000'), undefined);
});

test('a sandbox balances the VIP-mode services of its networks over their running tasks there', () => {
  const m = new NetworkDirectoryMirror();
  m.apply('full', [
    change(net('netA000000'), [ep('t1', 'web', '10.0.1.4', 'h1'), ep('t2', 'web', '10.0.1.3', 'h2'), ep('t3', 'db', '10.0.1.6', 'h2')], [svc('web', 'vip', '10.0.1.2'), svc('db', 'dnsrr'), svc('idle', 'vip', '10.0.1.9')]),
    change(net('netB000000'), [], [svc('other', 'vip', '10.0.2.2')]),
  ], []);
  assert.deepEqual([...wantedVips(m, ['netA000000'])], [['10.0.1.2', ['10.0.1.3', '10.0.1.4']], ['10.0.1.9', []]]);
  const script = renderServiceVip('10.0.1.2', ['10.0.1.3', '10.0.1.4']);
  assert.match(script, /meta l4proto \{ tcp, udp \} dnat ip to numgen inc mod 2 map \{ 0 : 10\.0\.1\.3, 1 : 10\.0\.1\.4 \}/);
  assert.doesNotMatch(renderServiceVip('10.0.1.9', []), /dnat/, 'no backend: refused, not sent anywhere');
  assert.throws(() => renderServiceVip('10.0.1.999', []), /not an IPv4 address/);
});

test('a network\'s nodes are listed once each by data-path address, named by hostname (the address if a manager did not send it)', () => {
  const m = new NetworkDirectoryMirror();
  m.apply('full', [change(net('netA000000'), [
    { ...ep('t1', 'web', '10.0.1.3', '198.51.100.3'), Host: 'worker-2' },
    { ...ep('t2', 'web', '10.0.1.4', '198.51.100.3'), Host: 'worker-2' },
    { ...ep('t3', 'web', '10.0.1.5', '198.51.100.2'), Host: 'worker-1' },
    ep('t4', 'web', '10.0.1.6', '198.51.100.10'),
  ], [])], []);
  assert.deepEqual(nodesOf(m.get('netA000000')!), [
    { name: '198.51.100.10', ip: '198.51.100.10' },
    { name: 'worker-1', ip: '198.51.100.2' },
    { name: 'worker-2', ip: '198.51.100.3' },
  ]);
});
