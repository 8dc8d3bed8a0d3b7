// The overlay driver's pure parts: peer diffs, spec validation, Docker's MACs, gateway addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkError } from '../../src/network/errors.js';
import { allocateGatewayAddress } from '../../src/network/gateway-pool.js';
import { macFromIp, parseCidr } from '../../src/network/ipv4.js';
import { resolveSpec } from '../../src/network/overlay-netns.js';
import { EMPTY_PEERS, peerCommands, peerTable } from '../../src/network/peers.js';

const LOCAL = '198.51.100.1';

function refusal(code: string, message: RegExp) {
  return (err: unknown) => {
    assert.equal(err instanceof NetworkError, true);
    assert.equal((err as NetworkError).code, code);
    assert.match((err as NetworkError).message, message);
    return true;
  };
}

test('MACs are derived from the address as Docker does', () => {
  assert.equal(macFromIp('10.0.1.2'), '02:42:0a:00:01:02');
  assert.equal(macFromIp('172.18.255.254'), '02:42:ac:12:ff:fe');
});

test('peer tables skip endpoints on this node and refuse contradictions', () => {
  const t = peerTable(
    [
      { ip: '10.0.1.2', mac: '02:42:0A:00:01:02', vtep: '198.51.100.2' },
      { ip: '10.0.1.3', mac: '02:42:0a:00:01:03', vtep: LOCAL },
    ],
    LOCAL,
  );
  assert.deepEqual([...t.neigh], [['10.0.1.2', '02:42:0a:00:01:02']]);
  assert.deepEqual([...t.fdb], [['02:42:0a:00:01:02', '198.51.100.2']]);
  assert.throws(
    () => peerTable([{ ip: '10.0.1.2', mac: 'aa:aa:aa:aa:aa:aa', vtep: '198.51.100.2' }, { ip: '10.0.1.2', mac: 'bb:bb:bb:bb:bb:bb', vtep: '198.51.100.2' }], LOCAL),
    refusal('conflict', /^peer 10\.0\.1\.2 listed with two MACs/),
  );
  assert.throws(() => peerTable([{ ip: '10.0.1', mac: 'aa:aa:aa:aa:aa:aa', vtep: '198.51.100.2' }], LOCAL), refusal('invalid-argument', /invalid IPv4 address "10\.0\.1"/));
});

test('peer updates touch only what changed', () => {
  const before = peerTable(
    [
      { ip: '10.0.1.2', mac: macFromIp('10.0.1.2'), vtep: '198.51.100.2' },
      { ip: '10.0.1.3', mac: macFromIp('10.0.1.3'), vtep: '198.51.100.3' },
      { ip: '10.0.1.4', mac: macFromIp('10.0.1.4'), vtep: '198.51.100.3' },
    ],
    LOCAL,
  );
  const after = peerTable(
    [
      { ip: '10.0.1.2', mac: macFromIp('10.0.1.2'), vtep: '198.51.100.2' }, // unchanged
      { ip: '10.0.1.3', mac: macFromIp('10.0.1.3'), vtep: '198.51.100.4' }, // moved host
      { ip: '10.0.1.5', mac: macFromIp('10.0.1.5'), vtep: '198.51.100.2' }, // new; 10.0.1.4 gone
    ],
    LOCAL,
  );
  assert.deepEqual(peerCommands(before, after), {
    ip: ['neigh del 10.0.1.4 dev vxlan0', 'neigh replace 10.0.1.5 lladdr 02:42:0a:00:01:05 dev vxlan0 nud permanent'],
    bridge: [
      'fdb del 02:42:0a:00:01:04 dev vxlan0 dst 198.51.100.3 self',
      'fdb replace 02:42:0a:00:01:03 dev vxlan0 dst 198.51.100.4 self permanent',
      'fdb replace 02:42:0a:00:01:05 dev vxlan0 dst 198.51.100.2 self permanent',
    ],
  });
  assert.deepEqual(peerCommands(after, after), { ip: [], bridge: [] });
  assert.equal(peerCommands(after, EMPTY_PEERS).ip.length, 3);
});

test('network specs get Docker defaults and bad ones are refused', () => {
  const n = resolveSpec({ id: 'abcdefghij0123456789abcde', vni: 4097, subnet: '10.0.1.0/24', gateway: '10.0.1.1' });
  assert.deepEqual([n.mtu, n.internal, n.encrypted, n.gatewayCidr], [1450, false, false, '10.0.1.1/24']);
  const base = { id: 'abcdefghij0123456789abcde', vni: 4097, subnet: '10.0.1.0/24', gateway: '10.0.1.1' };
  assert.equal(resolveSpec({ ...base, encrypted: true }).mtu, 1424, 'an encrypted network leaves room for ESP, as Docker');
  assert.equal(resolveSpec({ ...base, encrypted: true, mtu: 1400 }).mtu, 1400);
  assert.throws(() => resolveSpec({ ...base, vni: 0x1000000 }), refusal('invalid-argument', /VNI 16777216 is outside 1\.\.16777215/));
  assert.throws(() => resolveSpec({ ...base, gateway: '10.0.2.1' }), refusal('invalid-argument', /gateway 10\.0\.2\.1 is outside 10\.0\.1\.0\/24/));
  assert.throws(() => resolveSpec({ ...base, id: 'short' }), refusal('invalid-argument', /invalid network ID "short"/));
  assert.throws(() => resolveSpec({ ...base, mtu: 100 }), refusal('invalid-argument', /invalid MTU 100/));
});

test('gateway bridge addresses: lowest free, never network, gateway or broadcast; exhaustion is an error', () => {
  const cidr = parseCidr('172.18.0.0/16');
  assert.equal(allocateGatewayAddress(cidr, '172.18.0.1', new Set()), '172.18.0.2');
  assert.equal(allocateGatewayAddress(cidr, '172.18.0.1', new Set(['172.18.0.2', '172.18.0.4'])), '172.18.0.3');
  const tiny = parseCidr('192.0.2.0/30'); // .1 gateway, .2 the only host address
  assert.equal(allocateGatewayAddress(tiny, '192.0.2.1', new Set()), '192.0.2.2');
  assert.throws(() => allocateGatewayAddress(tiny, '192.0.2.1', new Set(['192.0.2.2'])), refusal('exhausted', /no free address left on the gateway bridge's subnet 192\.0\.2\.0\/30/));
});
