// Address choice with the host's interfaces replaced by a fixed table (node:os is a builtin module,
// so its ESM bindings follow the patched CommonJS object after syncBuiltinESMExports).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { syncBuiltinESMExports } from 'node:module';
import { ControlError } from '@shoal/manager';
import { BAD_DATA_PATH_ADDR, chooseAdvertiseAddr, formatHostPort, parseListenAddr, resolveDataPathAddr } from '../../src/swarm/addresses.js';

type Iface = { address: string; family: 'IPv4' | 'IPv6'; internal?: boolean };

function fakeInterfaces(t: TestContext, table: Record<string, Iface[]>): void {
  const info = Object.fromEntries(
    Object.entries(table).map(([name, addrs]) => [
      name,
      addrs.map((a) => ({ address: a.address, family: a.family, internal: a.internal ?? false, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: null })),
    ]),
  );
  t.mock.method(os, 'networkInterfaces', () => info);
  syncBuiltinESMExports();
  t.after(() => {
    t.mock.restoreAll();
    syncBuiltinESMExports();
  });
}

const LO: Iface = { address: '127.0.0.1', family: 'IPv4', internal: true };

function invalid(message: string) {
  return (err: unknown) => err instanceof ControlError && err.code === 'invalid-argument' && err.message === message;
}

test('listen addresses: IP, IP:port, [IPv6]:port, interface name, empty, with the default port 2377', (t) => {
  fakeInterfaces(t, { lo: [LO], eth0: [{ address: 'fe80::1', family: 'IPv6' }, { address: '10.1.2.3', family: 'IPv4' }] });
  assert.deepEqual(parseListenAddr(''), { host: '0.0.0.0', port: 2377 });
  assert.deepEqual(parseListenAddr('0.0.0.0:2377'), { host: '0.0.0.0', port: 2377 });
  assert.deepEqual(parseListenAddr('10.0.0.1'), { host: '10.0.0.1', port: 2377 });
  assert.deepEqual(parseListenAddr(':4000'), { host: '0.0.0.0', port: 4000 });
  assert.deepEqual(parseListenAddr('eth0:4000'), { host: '10.1.2.3', port: 4000 });
  assert.deepEqual(parseListenAddr('eth0'), { host: '10.1.2.3', port: 2377 });
  assert.deepEqual(parseListenAddr('[fd00::1]:2377'), { host: 'fd00::1', port: 2377 });
  assert.deepEqual(parseListenAddr('10.0.0.1', 5000), { host: '10.0.0.1', port: 5000 });
});

test('listen addresses with a bad port or an unknown interface are refused', (t) => {
  fakeInterfaces(t, { lo: [LO] });
  assert.throws(() => parseListenAddr('10.0.0.1:0'), invalid('invalid port in address 10.0.0.1:0'));
  assert.throws(() => parseListenAddr('10.0.0.1:70000'), invalid('invalid port in address 10.0.0.1:70000'));
  assert.throws(() => parseListenAddr('10.0.0.1:x'), invalid('invalid listen address 10.0.0.1:x'));
  assert.throws(() => parseListenAddr('eth9:2377'), invalid('interface eth9 has no usable IPv4 address'));
});

test('the advertise address is the one given, else a specific listen IP, else the only external address', (t) => {
  fakeInterfaces(t, { lo: [LO], eth0: [{ address: '10.1.2.3', family: 'IPv4' }, { address: 'fd00::3', family: 'IPv6' }] });
  const any = { host: '0.0.0.0', port: 2377 };
  assert.deepEqual(chooseAdvertiseAddr('192.168.1.1', any), { host: '192.168.1.1', port: 2377 });
  assert.deepEqual(chooseAdvertiseAddr('192.168.1.1:3000', any), { host: '192.168.1.1', port: 3000 });
  assert.deepEqual(chooseAdvertiseAddr('eth0', { host: '0.0.0.0', port: 4000 }), { host: '10.1.2.3', port: 4000 });
  assert.deepEqual(chooseAdvertiseAddr('', { host: '10.9.9.9', port: 2377 }), { host: '10.9.9.9', port: 2377 });
  assert.deepEqual(chooseAdvertiseAddr('', any), { host: '10.1.2.3', port: 2377 });
});

test('with several addresses on different interfaces the advertise address must be given (Docker\'s message)', (t) => {
  fakeInterfaces(t, {
    lo: [LO],
    eth0: [{ address: '10.0.2.15', family: 'IPv4' }],
    eth1: [{ address: '192.168.99.100', family: 'IPv4' }],
    eth2: [{ address: '172.16.0.1', family: 'IPv4' }],
  });
  assert.throws(
    () => chooseAdvertiseAddr('', { host: '0.0.0.0', port: 2377 }),
    invalid(
      'could not choose an IP address to advertise since this system has multiple addresses on different interfaces (10.0.2.15 on eth0 and 192.168.99.100 on eth1) - specify one with --advertise-addr',
    ),
  );
});

test('with several addresses on one interface Docker names the interface once', (t) => {
  fakeInterfaces(t, { lo: [LO], eth0: [{ address: '178.62.15.73', family: 'IPv4' }, { address: '10.16.0.7', family: 'IPv4' }] });
  assert.throws(
    () => chooseAdvertiseAddr('', { host: '0.0.0.0', port: 2377 }),
    invalid('could not choose an IP address to advertise since this system has multiple addresses on interface eth0 (178.62.15.73 and 10.16.0.7) - specify one with --advertise-addr'),
  );
});

test('with no external address the advertise address must be given', (t) => {
  fakeInterfaces(t, { lo: [LO] });
  assert.throws(
    () => chooseAdvertiseAddr('', { host: '0.0.0.0', port: 2377 }),
    invalid("could not find the system's IP address - specify one with --advertise-addr"),
  );
});

test('host:port text brackets IPv6 hosts', () => {
  assert.equal(formatHostPort({ host: '10.0.0.1', port: 2377 }), '10.0.0.1:2377');
  assert.equal(formatHostPort({ host: 'fd00::1', port: 2377 }), '[fd00::1]:2377');
});

test('the data-path address is an interface\'s address or a non-zero IPv4 address without a port; empty when not given', (t) => {
  fakeInterfaces(t, { lo: [LO], eth1: [{ address: '192.168.50.7', family: 'IPv4' }] });
  assert.equal(resolveDataPathAddr(undefined), '');
  assert.equal(resolveDataPathAddr(''), '');
  assert.equal(resolveDataPathAddr('10.0.0.9'), '10.0.0.9');
  assert.equal(resolveDataPathAddr('eth1'), '192.168.50.7');
  for (const bad of ['10.0.0.9:4789', '0.0.0.0', 'eth9', 'not an address']) {
    assert.throws(() => resolveDataPathAddr(bad), invalid(BAD_DATA_PATH_ADDR), bad);
  }
  assert.throws(() => resolveDataPathAddr('fd00::9'), invalid('data path address fd00::9: overlays here run over IPv4 only'));
});
