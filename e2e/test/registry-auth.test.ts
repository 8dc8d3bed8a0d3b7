// docker login and authenticated pulls against a registry that serves HTTPS with a CA the test makes
// (trusted through shoald's certs.d directory, Docker's layout) and requires htpasswd basic auth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DAEMON_COMMAND, docker, dockerOk, execOnHost, formSwarm, withCluster, writeBusyboxSaveTar, type HostLayout } from '../src/index.js';
import { INSECURE_TEST_REGISTRIES, makeTestCa, skopeoPush, startRegistry, startTokenServer, writeHtpasswd } from '../src/registry.js';

/**
 * Pushes the busybox test image (also written to dir/bb.tar as bb:1) to `ref` with skopeo, and returns
 * a docker CLI for `host` whose credentials live in a config directory of the test's own, never the
 * real ~/.docker.
 */
async function pushedBusybox(dir: string, host: HostLayout, ref: string, creds: string, certDir?: string) {
  writeBusyboxSaveTar(join(dir, 'bb.tar'), 'bb:1');
  await skopeoPush(host, `docker-archive:${join(dir, 'bb.tar')}`, ref, { creds, ...(certDir !== undefined ? { certDir } : {}) });
  const env = { DOCKER_CONFIG: join(dir, 'docker-config') };
  return (args: string[], input?: string) => docker(host, args, { env, ...(input !== undefined ? { input } : {}), timeoutMs: 60_000 });
}

test('docker login checks the credentials on an HTTPS registry trusted through certs.d; pulls and pushes carry them, and fail without them as dockerd words it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-registry-auth-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const certsDir = join(dir, 'certs.d');
  const cluster = await withCluster(t, { managers: 1, daemonCommand: [...DEFAULT_DAEMON_COMMAND, '--registry-certs-dir', certsDir] });
  await formSwarm(cluster);
  const [a] = cluster.hosts;
  assert.ok(a);
  const ca = makeTestCa(dir, a.addr);
  writeHtpasswd(join(dir, 'htpasswd'), 'rtuser', 'rtpass');
  // The registry also wants a client certificate: shoald presents certs.d's client.cert and client.key.
  const registry = await startRegistry(t, a, { tls: { certFile: ca.certFile, keyFile: ca.keyFile, clientCaFile: ca.caFile }, htpasswdFile: join(dir, 'htpasswd') });
  const reg = registry.address;
  const regCerts = join(certsDir, reg);
  mkdirSync(regCerts, { recursive: true });
  copyFileSync(ca.caFile, join(regCerts, 'ca.crt'));
  copyFileSync(ca.clientCertFile, join(regCerts, 'client.cert'));
  copyFileSync(ca.clientKeyFile, join(regCerts, 'client.key'));
  const cli = await pushedBusybox(dir, a, `${reg}/team/bb:1`, 'rtuser:rtpass', regCerts);

  const wrong = await cli(['login', reg, '-u', 'rtuser', '--password-stdin'], 'wrong\n');
  assert.equal(wrong.code, 1);
  assert.equal(wrong.stderr.trim(), `Error response from daemon: login attempt to https://${reg}/v2/ failed with status: 401 Unauthorized`);
  const right = await cli(['login', reg, '-u', 'rtuser', '--password-stdin'], 'rtpass\n');
  assert.equal(right.code, 0, right.stderr);
  assert.match(right.stdout, /Login Succeeded/);

  const pulled = await cli(['pull', `${reg}/team/bb:1`]);
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.match(pulled.stdout, new RegExp(`Status: Downloaded newer image for ${reg}/team/bb:1`));
  assert.equal((await dockerOk(a, ['run', '--rm', `${reg}/team/bb:1`, 'echo', 'pulled over TLS'])).trim(), 'pulled over TLS');

  // docker push of an image loaded here: layers gzip-compressed and uploaded, schema 2 manifest under the tag.
  assert.equal((await cli(['load', '-i', join(dir, 'bb.tar')])).code, 0);
  await dockerOk(a, ['tag', 'bb:1', `${reg}/team/pushed:2`]);
  const pushed = await cli(['push', `${reg}/team/pushed:2`]);
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.match(pushed.stdout, new RegExp(`^The push refers to repository \\[${reg}/team/pushed\\]$`, 'm'));
  assert.match(pushed.stdout, /^[0-9a-f]{12}: Pushed$/m);
  const pushedDigest = /^2: digest: (sha256:[0-9a-f]{64}) size: \d+$/m.exec(pushed.stdout)?.[1];
  assert.ok(pushedDigest, pushed.stdout);
  assert.match((await cli(['push', `${reg}/team/pushed:2`])).stdout, /^[0-9a-f]{12}: Layer already exists$/m);
  const inspected = await execOnHost(a, ['skopeo', 'inspect', '--cert-dir', join(certsDir, reg), '--creds', 'rtuser:rtpass', `docker://${reg}/team/pushed:2`]);
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.equal((JSON.parse(inspected.stdout) as { Digest: string }).Digest, pushedDigest, 'another client reads what shoal pushed');
  await dockerOk(a, ['rmi', 'bb:1', `${reg}/team/pushed:2`]);
  assert.equal((await cli(['pull', `${reg}/team/pushed:2`])).code, 0);
  // One RepoDigest per repository the image came from or went to: team/bb (pulled) and team/pushed.
  const digests = JSON.parse(await dockerOk(a, ['image', 'inspect', '--format', '{{json .RepoDigests}}', `${reg}/team/pushed:2`])) as string[];
  assert.ok(digests.includes(`${reg}/team/pushed@${pushedDigest}`), digests.join(' '));

  const refused = await cli(['service', 'create', '--detach', '--with-registry-auth', '--name', 'web', `${reg}/team/bb:1`, 'sleep', '60']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /shoal does not support X-Registry-Auth \(registry credentials for the nodes, --with-registry-auth\) yet/);

  assert.equal((await cli(['logout', reg])).code, 0);
  await dockerOk(a, ['rmi', `${reg}/team/bb:1`]);
  const anonymous = await cli(['pull', `${reg}/team/bb:1`]);
  assert.equal(anonymous.code, 1);
  assert.equal(anonymous.stderr.trim(), `Error response from daemon: Head "https://${reg}/v2/team/bb/manifests/1": no basic auth credentials`);

  // Without the client certificate the registry does not let the connection through.
  rmSync(join(regCerts, 'client.cert'));
  const noClientCert = await cli(['pull', `${reg}/team/bb:1`]);
  assert.equal(noClientCert.code, 1);
  assert.match(noClientCert.stderr, new RegExp(`^Error response from daemon: Get "https://${reg}/v2/": `));
});

test('a registry with token auth: login, pull and anonymous refusal go through the Bearer challenge and the token server', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-registry-token-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cluster = await withCluster(t, { managers: 1, daemonCommand: INSECURE_TEST_REGISTRIES });
  const [a] = cluster.hosts;
  assert.ok(a);
  const ca = makeTestCa(dir, a.addr);
  const tokens = await startTokenServer(t, a, { keyFile: ca.keyFile, certFile: ca.certFile, rootFile: ca.caFile }, 'tkuser', 'tkpass');
  const registry = await startRegistry(t, a, { token: tokens });
  const reg = registry.address;
  const cli = await pushedBusybox(dir, a, `${reg}/team/bb:1`, 'tkuser:tkpass');

  const wrong = await cli(['login', reg, '-u', 'tkuser', '--password-stdin'], 'wrong\n');
  assert.equal(wrong.code, 1);
  assert.equal(wrong.stderr.trim(), `Error response from daemon: login attempt to http://${reg}/v2/ failed with status: 401 Unauthorized`);
  assert.equal((await cli(['login', reg, '-u', 'tkuser', '--password-stdin'], 'tkpass\n')).code, 0);
  const pulled = await cli(['pull', `${reg}/team/bb:1`]);
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.equal((await dockerOk(a, ['run', '--rm', `${reg}/team/bb:1`, 'echo', 'pulled with a token'])).trim(), 'pulled with a token');

  assert.equal((await cli(['logout', reg])).code, 0);
  await dockerOk(a, ['rmi', `${reg}/team/bb:1`]);
  const anonymous = await cli(['pull', `${reg}/team/bb:1`]);
  assert.equal(anonymous.code, 1);
  assert.match(anonymous.stderr, new RegExp(`^Error response from daemon: pull access denied for ${reg}/team/bb, repository does not exist or may require 'docker login': `));
});
