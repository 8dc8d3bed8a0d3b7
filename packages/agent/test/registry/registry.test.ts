import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRegistryAuth, parseChallenge } from '../../src/registry/auth.js';
import { invalidInsecureRegistry, isInsecureRegistry } from '../../src/registry/endpoints.js';
import { choosePlatform, parseManifest, parsePlatform, type ManifestIndex } from '../../src/registry/manifest.js';
import { humanSize, progressBar } from '../../src/registry/progress.js';
import { familiarString, parseRemoteReference, registryHost } from '../../src/registry/reference.js';
import { ImageError } from '../../src/images/types.js';

const D = `sha256:${'a'.repeat(64)}`;

test('remote references split into registry, repository, tag and digest as Docker splits them', () => {
  assert.deepEqual(parseRemoteReference('198.51.100.1:5000/team/web:1.4'), { domain: '198.51.100.1:5000', path: 'team/web', tag: '1.4' });
  assert.deepEqual(parseRemoteReference('busybox'), { domain: 'docker.io', path: 'library/busybox', tag: 'latest' });
  assert.deepEqual(parseRemoteReference('localhost/x'), { domain: 'localhost', path: 'x', tag: 'latest' });
  assert.deepEqual(parseRemoteReference(`reg.example/x:1@${D}`), { domain: 'reg.example', path: 'x', tag: '1', digest: D });
  assert.deepEqual(parseRemoteReference(`reg.example/x@${D}`), { domain: 'reg.example', path: 'x', digest: D });
  assert.equal(familiarString(parseRemoteReference('docker.io/library/busybox')), 'busybox:latest');
  assert.equal(familiarString(parseRemoteReference(`reg.example/x@${D}`)), `reg.example/x@${D}`);
  assert.equal(registryHost(parseRemoteReference('busybox')), 'registry-1.docker.io');
  assert.throws(() => parseRemoteReference('Reg/X'), (e: unknown) => e instanceof ImageError && e.code === 'invalid-argument');
  assert.throws(() => parseRemoteReference('x@sha256:abc'), /invalid reference format/);
});

test('an index yields the entry of the wanted platform; arm64 matches its default variant', () => {
  const entry = (architecture: string, variant?: string) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D, size: 1, platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) } });
  const index: ManifestIndex = { kind: 'index', mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry('arm', 'v7'), entry('arm64', 'v8'), entry('amd64')] };
  assert.equal(choosePlatform(index, { os: 'linux', architecture: 'amd64' })?.platform?.architecture, 'amd64');
  assert.equal(choosePlatform(index, { os: 'linux', architecture: 'arm64' })?.platform?.variant, 'v8');
  assert.equal(choosePlatform(index, { os: 'linux', architecture: 'arm', variant: 'v6' }), undefined);
  assert.equal(choosePlatform(index, { os: 'windows', architecture: 'amd64' }), undefined);
  assert.deepEqual(parsePlatform('linux/arm64', { os: 'linux', architecture: 'amd64' }), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('linux', { os: 'linux', architecture: 'amd64' }), { os: 'linux', architecture: 'amd64' });
  assert.throws(() => parsePlatform('linux//', { os: 'linux', architecture: 'amd64' }), /unknown operating system or architecture/);
});

test('manifests decode by media type; schema 1 and zstd layers are refused by name', () => {
  const layer = (mediaType: string) => ({ mediaType, digest: D, size: 3 });
  const m = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: layer('application/vnd.docker.container.image.v1+json'), layers: [layer('application/vnd.docker.image.rootfs.diff.tar.gzip'), layer('application/vnd.oci.image.layer.v1.tar')] })), undefined);
  assert.equal(m.kind, 'image');
  assert.deepEqual(m.kind === 'image' && m.layers.map((l) => l.compression), ['gzip', 'none']);
  const list = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] })), 'application/vnd.docker.distribution.manifest.list.v2+json');
  assert.equal(list.kind, 'index');
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1}'), undefined), /schema 1 support has been removed/);
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: layer('x'), layers: [layer('application/vnd.oci.image.layer.v1.tar+zstd')] })), undefined), /zstd/);
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { digest: 'md5:1' }, layers: [] })), undefined), /bad descriptor/);
});

test('progress renders as dockerd\'s JSONProgress at width 50', () => {
  assert.equal(progressBar(14351, 1031489), `[>${' '.repeat(50)}]  14.35kB/1.031MB`);
  assert.equal(progressBar(146, 146), `[${'='.repeat(50)}>]     146B/146B`);
  assert.equal(humanSize(98304), '98.3kB');
  assert.equal(humanSize(1000), '1kB');
});

test('X-Registry-Auth and WWW-Authenticate decode as the docker CLI and registries send them', () => {
  assert.deepEqual(decodeRegistryAuth('e30='), {});
  assert.deepEqual(decodeRegistryAuth(Buffer.from('{"username":"u","password":"p","serveraddress":"r:5000"}').toString('base64url')), { username: 'u', password: 'p' });
  assert.deepEqual(decodeRegistryAuth('%%%'), {});
  assert.throws(() => decodeRegistryAuth(Buffer.from('{"identitytoken":"refresh"}').toString('base64')), /identity tokens/);
  assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="reg",scope="repository:x:pull"'), {
    scheme: 'bearer',
    params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:x:pull' },
  });
  assert.deepEqual(parseChallenge(['Negotiate', 'Basic realm="basic-realm"']), { scheme: 'basic', params: { realm: 'basic-realm' } });
});

test('insecure registries: loopback always, then --insecure-registry names and CIDRs', () => {
  assert.equal(isInsecureRegistry('localhost:5000', []), true);
  assert.equal(isInsecureRegistry('127.0.0.1:5000', []), true);
  assert.equal(isInsecureRegistry('198.51.100.1:5000', []), false);
  assert.equal(isInsecureRegistry('198.51.100.1:5000', ['198.51.100.0/24']), true);
  assert.equal(isInsecureRegistry('198.51.101.1:5000', ['198.51.100.0/24']), false);
  assert.equal(isInsecureRegistry('reg.example:5000', ['reg.example:5000']), true);
  assert.equal(isInsecureRegistry('reg.example:5001', ['reg.example:5000']), false);
  assert.equal(invalidInsecureRegistry('http://reg'), "insecure registry http://reg should not contain '://'");
  assert.equal(invalidInsecureRegistry('10.0.0.0/99x'), 'invalid CIDR address: 10.0.0.0/99x');
});
