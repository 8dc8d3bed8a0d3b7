import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRecord } from '@shoal/agent';
import { specFromCreateBody } from '../../src/containers/create-request.js';
import { parseStdcopy, stdcopyFrame } from '../../src/containers/stdcopy.js';
import { humanDuration, statusText } from '../../src/containers/views.js';

test('stdcopy frames carry the stream id and a big-endian length, and parse back', () => {
  const frame = stdcopyFrame('stderr', Buffer.from('oops\n'));
  assert.deepEqual([...frame.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 5]);
  const both = Buffer.concat([stdcopyFrame('stdout', Buffer.from('a')), frame, Buffer.from([1, 0, 0])]);
  const { frames, rest } = parseStdcopy(both);
  assert.deepEqual(frames.map((f) => [f.stream, f.payload.toString()]), [['stdout', 'a'], ['stderr', 'oops\n']]);
  assert.equal(rest.length, 3, 'a partial header waits for more');
});

test('durations read like docker ps', () => {
  assert.equal(humanDuration(300), 'Less than a second');
  assert.equal(humanDuration(1_000), '1 second');
  assert.equal(humanDuration(42_000), '42 seconds');
  assert.equal(humanDuration(61_000), 'About a minute');
  assert.equal(humanDuration(3 * 60_000), '3 minutes');
  assert.equal(humanDuration(3_600_000), 'About an hour');
  assert.equal(humanDuration(5 * 3_600_000), '5 hours');
  assert.equal(humanDuration(3 * 86_400_000), '3 days');
});

test('status text shows Up, Exited (code) … ago, or Created', () => {
  const base = { spec: { id: 'a'.repeat(64), name: 'x1', image: 'busybox' }, imageId: 'sha256:x', createdAt: '2030-01-01T00:00:00Z' };
  const running: ContainerRecord = { ...base, state: { status: 'running', pid: 5, exitCode: null, startedAt: '2030-01-01T00:00:00Z', finishedAt: null, error: '' } };
  const exited: ContainerRecord = { ...base, state: { status: 'exited', pid: 0, exitCode: 3, startedAt: '2030-01-01T00:00:00Z', finishedAt: '2030-01-01T00:00:10Z', error: '' } };
  const created: ContainerRecord = { ...base, state: { status: 'created', pid: 0, exitCode: null, startedAt: null, finishedAt: null, error: '' } };
  const now = Date.parse('2030-01-01T00:03:00Z');
  assert.equal(statusText(running, now), 'Up 3 minutes');
  assert.equal(statusText(exited, now), 'Exited (3) 2 minutes ago');
  assert.equal(statusText(created, now), 'Created');
});

test('a create body becomes a spec: null Cmd/Entrypoint defer to the image, host mode gets the host namespace', () => {
  const body = { Image: 'busybox:latest', Cmd: ['sleep', '300'], Entrypoint: null, Env: null, Labels: { a: 'b' }, HostConfig: { NetworkMode: 'host', AutoRemove: true } };
  const spec = specFromCreateBody(body, 'web', { netnsFor: (mode) => (mode === 'host' ? '/proc/1/ns/net' : undefined) });
  assert.match(spec.id, /^[0-9a-f]{64}$/);
  assert.deepEqual(
    [spec.name, spec.image, spec.cmd, spec.entrypoint, spec.env, spec.labels, spec.networkMode, spec.netnsPath, spec.autoRemove],
    ['web', 'busybox:latest', ['sleep', '300'], undefined, undefined, { a: 'b' }, 'host', '/proc/1/ns/net', true],
  );
  assert.match(specFromCreateBody({ Image: 'x' }, undefined, { netnsFor: () => undefined }).name, /^[a-z]+_[a-z]+$/, 'a generated name (a digit only on a retry)');
  assert.throws(() => specFromCreateBody({ Cmd: ['x'] }, 'web', { netnsFor: () => undefined }), /No image specified/);
});

test('-P publishes what the image and --expose expose on random host ports, and keeps the ports given with -p', () => {
  // docker run -P --expose 53/udp -p 8080:80 web-image   (the image exposes 80/tcp and 443/tcp)
  const body = { Image: 'web-image', ExposedPorts: { '53/udp': {}, '80/tcp': {} }, HostConfig: { PublishAllPorts: true, PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } } };
  const spec = specFromCreateBody(body, 'web', { netnsFor: () => undefined, imageExposedPorts: (image) => (image === 'web-image' ? ['80/tcp', '443/tcp'] : []) });
  assert.deepEqual(spec.ports, [
    { protocol: 'tcp', publishedPort: 8080, targetPort: 80 },
    { protocol: 'tcp', publishedPort: 32768, targetPort: 443 },
    { protocol: 'udp', publishedPort: 32768, targetPort: 53 },
  ]);
  const plain = specFromCreateBody({ ...body, HostConfig: { PortBindings: body.HostConfig.PortBindings } }, 'web', { netnsFor: () => undefined, imageExposedPorts: () => ['443/tcp'] });
  assert.deepEqual(plain.ports, [{ protocol: 'tcp', publishedPort: 8080, targetPort: 80 }], 'without -P exposing publishes nothing');
});

test('--network-alias: the aliases of the network mode\'s EndpointsConfig entry go into the spec; on a predefined network they are refused as dockerd does', () => {
  const body = (mode: string, network = mode, aliases: unknown = ['db', 'primary']) => ({
    Image: 'busybox', HostConfig: { NetworkMode: mode },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: aliases } } },
  });
  const create = (b: unknown) => specFromCreateBody(b, 'srv', { netnsFor: () => undefined });
  assert.deepEqual(create(body('appnet')).networkAliases, ['db', 'primary']);
  assert.equal(create(body('appnet', 'appnet', null)).networkAliases, undefined);
  assert.throws(() => create(body('default')), { message: 'network-scoped alias is supported only for containers in user defined networks' });
  assert.throws(() => create(body('appnet', 'other')), { message: 'aliases are given for network other, but the container is created on appnet' });
  assert.throws(() => create(body('appnet', 'appnet', [1])), { message: 'json: cannot unmarshal number into Go struct field Config.NetworkingConfig.EndpointsConfig.Aliases of type string' });
  assert.throws(() => create({ ...body('appnet'), NetworkingConfig: { EndpointsConfig: { appnet: {}, other: {} } } }), { message: 'Container cannot be connected to network endpoints: appnet, other' });
});
