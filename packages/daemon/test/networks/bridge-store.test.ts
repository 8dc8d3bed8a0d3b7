// Bridge networks' definitions: Docker's local address pools in order, --subnet/--gateway checks,
// Docker's refusals (pre-defined and duplicate names), the br-<id> bridge name, and persistence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../src/api/errors.js';
import { BridgeNetworkStore, allocateLocalSubnet, localPoolCandidates, requestedAddressing } from '../../src/networks/bridge/index.js';

function apiError(status: number, message: string | RegExp) {
  return (err: unknown) => err instanceof ApiError && err.status === status && (typeof message === 'string' ? err.message === message : message.test(err.message));
}

test('allocateLocalSubnet takes Docker\'s local pools in order, skipping any overlap', () => {
  const pools = localPoolCandidates();
  assert.deepEqual([pools[0], pools[14], pools[15], pools.at(-1)], ['172.17.0.0/16', '172.31.0.0/16', '192.168.0.0/20', '192.168.240.0/20']);
  assert.deepEqual(allocateLocalSubnet(['172.17.0.0/16', '172.18.0.0/16']), { subnet: '172.19.0.0/16', gateway: '172.19.0.1' });
  assert.deepEqual(allocateLocalSubnet(['172.16.0.0/12']), { subnet: '192.168.0.0/20', gateway: '192.168.0.1' }, 'a wider network covers all the /16s');
  assert.deepEqual(allocateLocalSubnet(['172.17.0.0/16', '172.19.5.0/24']), { subnet: '172.18.0.0/16', gateway: '172.18.0.1' });
  assert.throws(() => allocateLocalSubnet(['172.16.0.0/12', '192.168.0.0/16']), apiError(403, /could not find an available, non-overlapping IPv4 address pool/));
});

test('requestedAddressing checks the subnet, its overlap with other local networks and the gateway', () => {
  assert.deepEqual(requestedAddressing('10.99.0.7/24', undefined, []), { subnet: '10.99.0.0/24', gateway: '10.99.0.1' });
  assert.deepEqual(requestedAddressing('10.99.0.0/24', '10.99.0.254', []), { subnet: '10.99.0.0/24', gateway: '10.99.0.254' });
  assert.throws(() => requestedAddressing('10.99.0.0/24', undefined, ['10.0.0.0/8']), apiError(403, 'invalid pool request: Pool overlaps with other one on this address space'));
  assert.throws(() => requestedAddressing('10.99.0.0/24', '10.98.0.1', []), apiError(403, 'no matching subnet for gateway 10.98.0.1'));
  assert.throws(() => requestedAddressing('10.99.0.0/33', undefined, []), apiError(400, 'invalid CIDR address: 10.99.0.0/33'));
});

test('BridgeNetworkStore has the default bridge, creates user-defined ones with Docker\'s refusals, and keeps them in its file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-bridges-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'local-networks.json');
  const store = new BridgeNetworkStore(path, 'd'.repeat(64), '2030-01-01T00:00:00Z');
  const [bridge] = store.list();
  assert.deepEqual([bridge!.name, bridge!.ifname, bridge!.subnet, bridge!.gateway, bridge!.isDefault], ['bridge', 'docker0', '172.17.0.0/16', '172.17.0.1', true]);
  assert.equal(store.find('default'), bridge, 'NetworkMode "default" is the default bridge');

  const app = store.create({ Name: 'appnet', Driver: 'bridge', Labels: { purpose: 'test' } }, false);
  assert.match(app.id, /^[0-9a-f]{64}$/);
  assert.deepEqual([app.ifname, app.subnet, app.gateway, app.labels], [`br-${app.id.slice(0, 12)}`, '172.19.0.0/16', '172.19.0.1', { purpose: 'test' }], 'after docker0 and docker_gwbridge');
  const custom = store.create({ Name: 'app2', IPAM: { Config: [{ Subnet: '10.99.0.0/24' }] }, Options: { 'com.docker.network.bridge.name': 'rtapp2' } }, false);
  assert.deepEqual([custom.ifname, custom.subnet], ['rtapp2', '10.99.0.0/24']);
  assert.equal(store.find(app.id.slice(0, 6)), app);

  assert.throws(() => store.create({ Name: 'appnet' }, false), apiError(409, 'network with name appnet already exists'));
  assert.throws(() => store.create({ Name: 'test-net' }, true), apiError(409, 'network with name test-net already exists'), 'a swarm network holds the name');
  assert.throws(() => store.create({ Name: 'host' }, false), apiError(403, 'host is a pre-defined network and cannot be created'));
  // dockerd takes any local name but a blank one; the swarm's DNS-label rule is not a local network's.
  assert.throws(() => store.create({ Name: '  ' }, false), apiError(400, 'invalid name:   '));
  assert.equal(store.create({ Name: 'test 01' }, false).name, 'test 01');
  assert.equal(store.create({ Name: '-my.net_' }, false).name, '-my.net_');
  assert.throws(() => store.create({ Name: 'x', IPAM: { Config: [{ Subnet: '172.19.1.0/24' }] } }, false), apiError(403, /Pool overlaps/));
  assert.throws(() => store.create({ Name: 'v6', EnableIPv6: true }, false), apiError(501, /IPv6/));

  const reopened = new BridgeNetworkStore(path, 'd'.repeat(64), '2030-01-01T00:00:00Z');
  assert.deepEqual(reopened.list().map((n) => n.name), ['bridge', 'appnet', 'app2', 'test 01', '-my.net_']);
  reopened.remove(app.id);
  assert.deepEqual(new BridgeNetworkStore(path, 'd'.repeat(64), '2030-01-01T00:00:00Z').list().map((n) => n.name), ['bridge', 'app2', 'test 01', '-my.net_']);
});
