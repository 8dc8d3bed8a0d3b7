import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { AddressPool, AllocatorError, IpamState, addressPools, allocateNodeLbAddress, allocateServiceVips, allocateSubnet, allocateTaskAddresses, allocateVni, parseCidr, parseIpv4, planNetworkAllocation, poolConfig, formatIpv4 } from '../../src/allocator/index.js';
import type { NetworkObject } from '../../src/store/objects.js';

const allocatorError = (code: AllocatorError['code'], message: RegExp) => (err: unknown) =>
  err instanceof AllocatorError && err.code === code && message.test(err.message);

function network(id: string, name: string, allocation: NetworkObject['Allocation']): NetworkObject {
  return {
    ID: id,
    Version: { Index: 1 },
    CreatedAt: '2030-01-01T00:00:00Z',
    UpdatedAt: '2030-01-01T00:00:00Z',
    Spec: { Name: name, Labels: {}, Driver: 'overlay', Options: {}, IPAM: { Driver: 'default', Options: {}, Config: [] }, Internal: false, Attachable: false, Ingress: false },
    Allocation: allocation,
  };
}

test('IPv4 parsing refuses malformed addresses and host bits in strict prefixes', () => {
  assert.equal(parseIpv4('10.0.1.255'), 0x0a0001ff);
  for (const bad of ['10.0.1', '10.0.1.256', '010.0.0.1', '::1', '10.0.0.1 ']) assert.equal(parseIpv4(bad), undefined, bad);
  assert.deepEqual(parseCidr('10.0.1.0/24'), { base: 0x0a000100, prefixLength: 24 });
  assert.equal(parseCidr('10.0.1.1/24'), undefined);
  assert.deepEqual(parseCidr('10.0.1.1/24', false), { base: 0x0a000100, prefixLength: 24 });
  assert.equal(parseCidr('10.0.1.0/33'), undefined);
  assert.equal(formatIpv4(0xffffffff), '255.255.255.255');
});

test('VNIs start at 4096, skip taken ones, and a requested VNI is checked for collision and range', () => {
  assert.equal(allocateVni(new Set(), 'a'), 4096);
  assert.equal(allocateVni(new Set([4096, 4097, 4099]), 'a'), 4098);
  assert.equal(allocateVni(new Set([4096]), 'a', 300), 300);
  assert.throws(() => allocateVni(new Set([5000]), 'web', 5000), allocatorError('in-use', /VXLAN ID 5000 requested for network web is already in use/));
  assert.throws(() => allocateVni(new Set(), 'web', 2 ** 24), allocatorError('invalid-config', /must be between 1 and 16777215/));
});

test('subnets come from the pools in order, skip overlapping ones whatever their size, and name the network when exhausted', () => {
  const pools = addressPools(['10.0.0.0/8'], 24);
  const taken = (cidrs: string[]) => cidrs.map((c, i) => ({ subnet: parseCidr(c)!, networkName: `n${i}` }));
  assert.equal(formatIpv4(allocateSubnet(pools, [], 'a').base), '10.0.0.0');
  assert.equal(formatIpv4(allocateSubnet(pools, taken(['10.0.0.0/24', '10.0.2.0/24']), 'a').base), '10.0.1.0');
  assert.equal(formatIpv4(allocateSubnet(pools, taken(['10.0.0.0/16']), 'a').base), '10.1.0.0', 'a user /16 is skipped whole');
  assert.equal(formatIpv4(allocateSubnet(pools, taken(['10.0.0.128/25']), 'a').base), '10.0.1.0');
  const small = addressPools(['192.168.0.0/23', '172.30.0.0/24'], 24);
  assert.equal(formatIpv4(allocateSubnet(small, taken(['192.168.0.0/24', '192.168.1.0/24']), 'a').base), '172.30.0.0', 'the next pool');
  assert.throws(
    () => allocateSubnet(small, taken(['192.168.0.0/23', '172.30.0.0/24']), 'backend'),
    allocatorError('exhausted', /could not allocate a subnet for network backend: the default address pools \(192\.168\.0\.0\/23, 172\.30\.0\.0\/24\) have no free \/24 left/),
  );
});

test('network allocation: default gateway, requested gateway/range/aux checked against the subnet and overlaps refused', () => {
  const pools = addressPools(['10.0.0.0/8'], 24);
  const live = [network('a', 'front', { Vni: 4096, Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' })];
  assert.deepEqual(planNetworkAllocation({ name: 'x', ipam: [] }, live, pools), { Vni: 4097, Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' });
  assert.deepEqual(
    planNetworkAllocation({ name: 'x', ipam: [{ Subnet: '10.77.0.0/16', Gateway: '10.77.0.254', IPRange: '10.77.1.0/24', AuxiliaryAddresses: { r: '10.77.0.2' } }], requestedVni: 9000 }, live, pools),
    { Vni: 9000, Subnet: '10.77.0.0/16', Gateway: '10.77.0.254', IPRange: '10.77.1.0/24', AuxiliaryAddresses: { r: '10.77.0.2' } },
  );
  const plan = (config: object) => () => planNetworkAllocation({ name: 'x', ipam: [config] }, live, pools);
  assert.throws(plan({ Subnet: '10.0.0.128/25' }), allocatorError('in-use', /subnet 10\.0\.0\.128\/25 of network x overlaps subnet 10\.0\.0\.0\/24 of network front/));
  assert.throws(plan({ Subnet: '10.9.0.0/24', Gateway: '10.8.0.1' }), allocatorError('invalid-config', /subnet 10\.9\.0\.0\/24 does not contain gateway 10\.8\.0\.1/));
  assert.throws(plan({ Subnet: '10.9.0.0/24', Gateway: '10.9.0.255' }), allocatorError('invalid-config', /network or broadcast address/));
  assert.throws(plan({ Subnet: '10.9.0.0/24', IPRange: '10.9.0.0/23' }), allocatorError('invalid-config', /does not contain range 10\.9\.0\.0\/23/));
  assert.throws(plan({ Subnet: '10.9.0.5/24' }), allocatorError('invalid-config', /invalid subnet 10\.9\.0\.5\/24: it should be 10\.9\.0\.0\/24/));
  assert.throws(plan({ Subnet: 'nope' }), allocatorError('invalid-config', /ipam configuration: invalid subnet nope/));
  assert.throws(plan({ Subnet: '10.9.0.0/31' }), allocatorError('invalid-config', /too small/));
  assert.throws(plan({ Gateway: '10.9.0.1' }), allocatorError('invalid-config', /needs a subnet/));
  assert.throws(plan({ Subnet: '10.9.0.0/24', AuxiliaryAddresses: { a: '10.9.0.1' } }), allocatorError('in-use', /auxiliary address a=10\.9\.0\.1 of network x is already reserved/));
  assert.throws(() => planNetworkAllocation({ name: 'x', ipam: [{ Subnet: '10.9.0.0/24' }, { Subnet: '10.9.1.0/24' }] }, live, pools), allocatorError('invalid-config', /only one IPv4 subnet/));
});

test('an address pool never hands out the network, broadcast, gateway or aux addresses, honours the range, and reports exhaustion by network name', () => {
  const pool = new AddressPool('n1', 'tiny', poolConfig({ Subnet: '10.5.0.0/29', Gateway: '10.5.0.1', AuxiliaryAddresses: { x: '10.5.0.3' } }));
  const got = [1, 2, 3, 4].map((i) => formatIpv4(pool.allocate({ kind: 'task', id: `t${i}` })));
  assert.deepEqual(got, ['10.5.0.2', '10.5.0.4', '10.5.0.5', '10.5.0.6']);
  assert.throws(() => pool.allocate({ kind: 'task', id: 't5' }), allocatorError('exhausted', /could not find an available IP address on network tiny \(10\.5\.0\.0\/29\): address pool exhausted/));
  pool.release(parseIpv4('10.5.0.4')!);
  assert.equal(formatIpv4(pool.allocate({ kind: 'task', id: 't6' })), '10.5.0.4', 'a freed address is reused once nothing else is free');

  const ranged = new AddressPool('n2', 'ranged', poolConfig({ Subnet: '10.6.0.0/24', Gateway: '10.6.0.1', IPRange: '10.6.0.128/30' }));
  assert.deepEqual([0, 1, 2, 3].map(() => formatIpv4(ranged.allocate({ kind: 'task', id: 'x' }))), ['10.6.0.128', '10.6.0.129', '10.6.0.130', '10.6.0.131']);
  assert.equal(formatIpv4(ranged.allocate({ kind: 'task', id: 'y' }, parseIpv4('10.6.0.9'))), '10.6.0.9', 'a static address may lie outside the range');
  assert.throws(() => ranged.allocate({ kind: 'task', id: 'z' }, parseIpv4('10.6.0.1')), allocatorError('in-use', /address 10\.6\.0\.1 is already in use on network ranged/));
  assert.throws(() => ranged.allocate({ kind: 'task', id: 'z' }, parseIpv4('10.7.0.1')), allocatorError('invalid-config', /not in subnet 10\.6\.0\.0\/24/));
});

test('pool usage counts what network inspect shows: reserved and held in the subnet, free left in the range', () => {
  const pool = new AddressPool('n1', 'tiny', poolConfig({ Subnet: '10.5.0.0/29', Gateway: '10.5.0.1', AuxiliaryAddresses: { x: '10.5.0.3' } }));
  assert.deepEqual(pool.usage(), { IPsInUse: 4, DynamicIPsAvailable: 4 });
  for (const i of [1, 2, 3, 4]) pool.allocate({ kind: 'task', id: `t${i}` });
  assert.deepEqual(pool.usage(), { IPsInUse: 8, DynamicIPsAvailable: 0 });
  const ranged = new AddressPool('n2', 'ranged', poolConfig({ Subnet: '10.6.0.0/24', Gateway: '10.6.0.1', IPRange: '10.6.0.128/30' }));
  ranged.allocate({ kind: 'task', id: 'static' }, parseIpv4('10.6.0.9'));
  assert.deepEqual(ranged.usage(), { IPsInUse: 4, DynamicIPsAvailable: 4 }, 'an address held outside the range takes nothing from it');
  const wide = new AddressPool('n3', 'wide', poolConfig({ Subnet: '10.0.0.0/8', Gateway: '10.0.0.1' }));
  assert.deepEqual(wide.usage(), { IPsInUse: 3, DynamicIPsAvailable: 2 ** 24 - 3 });
});

test('addresses are handed out after the highest one held, so a released address is not reused at once', () => {
  const pool = new AddressPool('n', 'n', poolConfig({ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }));
  const a = pool.allocate({ kind: 'task', id: 'a' });
  const b = pool.allocate({ kind: 'task', id: 'b' });
  pool.release(a);
  assert.equal(formatIpv4(pool.allocate({ kind: 'task', id: 'c' })), '10.0.1.4');
  assert.equal(formatIpv4(b), '10.0.1.3');
});

test('IpamState derives holdings from services, tasks and nodes; allocations are all-or-nothing and releases free by holder', () => {
  const nets = [
    network('n1', 'front', { Vni: 4097, Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }),
    network('n2', 'full', { Vni: 4098, Subnet: '10.0.2.0/30', Gateway: '10.0.2.1' }),
  ];
  const service = { ID: 's1', Endpoint: { VirtualIPs: [{ NetworkID: 'n1', Addr: '10.0.1.2/24' }] } };
  const task = { ID: 't1', NetworksAttachments: [{ Network: { ID: 'n1' }, Addresses: ['10.0.1.3/24'] }, { Network: { ID: 'gone' }, Addresses: ['10.9.9.9/24'] }] };
  const node = { ID: 'node1', Attachments: [{ Network: { ID: 'n2' }, Addresses: ['10.0.2.2/30'] }] };
  const dup = { ID: 't2', NetworksAttachments: [{ Network: { ID: 'n1' }, Addresses: ['10.0.1.3/24'] }] };
  const state = IpamState.derive({ networks: nets, services: [service], tasks: [task, dup], nodes: [node] });
  assert.deepEqual(state.conflicts, [{ held: { holder: { kind: 'task', id: 't2' }, networkId: 'n1', address: '10.0.1.3/24' }, heldBy: 'task:t1' }]);
  assert.deepEqual(allocateServiceVips(state, 's2', ['n1']), [{ NetworkID: 'n1', Addr: '10.0.1.4/24' }]);
  assert.deepEqual(allocateTaskAddresses(state, 't3', ['n1'], { n1: '10.0.1.100' }), [{ NetworkID: 'n1', Addresses: ['10.0.1.100/24'] }]);
  assert.throws(() => allocateTaskAddresses(state, 't4', ['n1', 'n2']), allocatorError('exhausted', /network full/));
  assert.equal(state.pool('n1').heldCount, 4, 'the n1 address of the failed allocation was released');
  assert.equal(allocateNodeLbAddress(state, 'node1', 'n1'), '10.0.1.101/24');
  state.releaseHolder({ kind: 'node', id: 'node1' });
  assert.equal(state.pool('n2').heldCount, 0);
  assert.equal(state.pool('n1').holderOf(parseIpv4('10.0.1.101')!), undefined);
});

test('the allocator sources use no clock, timer, random source or Node.js module', () => {
  const dir = new URL('../../../src/allocator/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(new URL(file, dir), 'utf8');
    assert.doesNotMatch(text, /Date\.|new Date|Math\.random|setTimeout|setInterval|performance\.|from 'node:/, file);
  }
});
