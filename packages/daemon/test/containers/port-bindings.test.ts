import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/api/errors.js';
import { hostPortKey, parsePortBindings, portBindingsView, publishedPortsView } from '../../src/containers/port-bindings.js';

const apiError = (status: number, message: RegExp) => (err: unknown) => err instanceof ApiError && err.status === status && message.test(err.message);

test('PortBindings as docker run -p sends them become the ports to publish, and show back as Docker shows them', () => {
  // docker run -p 8080:80 -p 8081:81/udp -p 8082:80
  const body = { '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '', HostPort: '8082' }], '81/udp': [{ HostIp: '', HostPort: '8081' }] };
  const ports = parsePortBindings(body);
  assert.deepEqual(ports, [
    { protocol: 'tcp', publishedPort: 8080, targetPort: 80 },
    { protocol: 'tcp', publishedPort: 8082, targetPort: 80 },
    { protocol: 'udp', publishedPort: 8081, targetPort: 81 },
  ]);
  assert.deepEqual(portBindingsView(ports), body);
  assert.deepEqual(publishedPortsView(ports)['81/udp'], [{ HostIp: '0.0.0.0', HostPort: '8081' }]);
  assert.deepEqual(parsePortBindings(null), []);
  assert.deepEqual(parsePortBindings({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '80' }] }), [{ protocol: 'tcp', publishedPort: 80, targetPort: 80 }]);
});

test('PortBindings shoal cannot honour are refused, never widened', () => {
  assert.throws(() => parsePortBindings({ '80/tcp': [{ HostIp: '::1', HostPort: '8080' }] }), apiError(501, /IPv6 address \(::1\)/));
  assert.throws(() => parsePortBindings({ '80/tcp': [{ HostIp: '10.0.0.300', HostPort: '8080' }] }), apiError(400, /invalid IP address: 10\.0\.0\.300/));
  assert.throws(() => parsePortBindings({ '80/tcp': [{ HostIp: '', HostPort: '8080-8090' }] }), apiError(501, /range of host ports/));
  assert.throws(() => parsePortBindings({ '80/icmp': [{ HostIp: '', HostPort: '8080' }] }), apiError(400, /invalid proto: icmp/));
  assert.throws(() => parsePortBindings({ '80/tcp': [{ HostIp: '', HostPort: '70000' }] }), apiError(400, /invalid host port/));
});

test('docker run -p 80 gets the lowest free port of the ephemeral range, per protocol, avoiding the ports taken here', () => {
  // docker run -p 80 -p 81 -p 80/udp, with 32768/tcp taken by another container
  const body = { '80/tcp': [{ HostIp: '', HostPort: '' }], '81/tcp': [{ HostIp: '', HostPort: '' }], '80/udp': [{ HostIp: '', HostPort: '' }] };
  assert.deepEqual(parsePortBindings(body, new Set([hostPortKey('tcp', 32768)])), [
    { protocol: 'tcp', publishedPort: 32769, targetPort: 80 },
    { protocol: 'tcp', publishedPort: 32770, targetPort: 81 },
    { protocol: 'udp', publishedPort: 32768, targetPort: 80 },
  ]);
  const all = new Set(Array.from({ length: 60999 - 32768 + 1 }, (_, i) => hostPortKey('tcp', 32768 + i)));
  assert.throws(() => parsePortBindings({ '80/tcp': [{ HostIp: '', HostPort: '' }] }, all), apiError(500, /^all ports are allocated$/));
});

test('-p 127.0.0.1:8080:80 publishes on that address and shows it back', () => {
  const ports = parsePortBindings({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] });
  assert.deepEqual(ports, [{ protocol: 'tcp', publishedPort: 8080, targetPort: 80, hostIp: '127.0.0.1' }]);
  assert.deepEqual(portBindingsView(ports), { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] });
  assert.deepEqual(publishedPortsView(ports), { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] });
});
