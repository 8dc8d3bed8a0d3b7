import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOciConfig, defaultCapabilities } from '../../src/runtime/oci-config.js';

const input = {
  process: { args: ['sleep', '300'], env: ['PATH=/bin', 'HOSTNAME=abc'], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [0] }, terminal: false },
  hostname: 'abc',
  rootfs: '/exec/containers/x/rootfs',
  netnsPath: '/run/netns/task-1',
  cgroupsPath: '/shoal/x',
  etcFiles: { hosts: '/data/x/hosts', resolvConf: '/data/x/resolv.conf', hostname: '/data/x/hostname' },
};

test('the OCI config joins the given network namespace and makes its own pid, ipc, uts and mount namespaces', () => {
  const config = buildOciConfig(input) as { linux: { namespaces: { type: string; path?: string }[]; cgroupsPath: string } };
  assert.deepEqual(config.linux.namespaces, [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network', path: '/run/netns/task-1' }]);
  assert.equal(config.linux.cgroupsPath, '/shoal/x');
});

test('the OCI config runs the process with Docker capabilities (NET_RAW for ping) in the overlay root', () => {
  const config = buildOciConfig(input) as { process: { args: string[]; env: string[]; capabilities: Record<string, string[]> }; root: { path: string }; hostname: string };
  assert.deepEqual(config.process.args, ['sleep', '300']);
  assert.deepEqual(config.process.env, ['PATH=/bin', 'HOSTNAME=abc']);
  assert.ok(config.process.capabilities['bounding']!.includes('CAP_NET_RAW'));
  assert.deepEqual(config.process.capabilities['effective'], [...defaultCapabilities]);
  assert.equal(config.root.path, '/exec/containers/x/rootfs');
  assert.equal(config.hostname, 'abc');
});

test('the OCI config bind-mounts the engine-written /etc files and mounts /proc, /dev, /sys like runc spec', () => {
  const config = buildOciConfig(input) as { mounts: { destination: string; type: string; source: string }[] };
  const byDest = new Map(config.mounts.map((m) => [m.destination, m]));
  for (const [dest, source] of [['/etc/hosts', '/data/x/hosts'], ['/etc/resolv.conf', '/data/x/resolv.conf'], ['/etc/hostname', '/data/x/hostname']]) {
    assert.deepEqual([byDest.get(dest!)?.type, byDest.get(dest!)?.source], ['bind', source]);
  }
  for (const dest of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']) assert.ok(byDest.has(dest), dest);
});
