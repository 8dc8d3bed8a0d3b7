// A real registry for e2e tests: Debian's docker-registry (CNCF distribution 2.8) serving plain HTTP on
// a test host's own underlay address, with its data in a temporary directory. Stopped and removed
// when the test ends, whatever happens; every wait is bounded.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_DAEMON_COMMAND, execOnHost, waitFor, type HostLayout } from '@shoal/cli/cluster';

export interface TestRegistry {
  /** "198.51.100.1:5000": what image names start with. */
  readonly address: string;
  /** Where the registry keeps blobs: docker/registry/v2/blobs/sha256/<2>/<hex>/data. */
  readonly dataDir: string;
  /** Stops the registry process (a registry that is down); idempotent. */
  stop(): Promise<void>;
}

const PORT = 5000;

/** shoald for clusters whose registries are plain HTTP on test hosts (all in 198.51.100.0/24). */
export const INSECURE_TEST_REGISTRIES: readonly string[] = [...DEFAULT_DAEMON_COMMAND, '--insecure-registry', '198.51.100.0/24'];

export interface RegistryOptions {
  /** Serve HTTPS with this certificate and key (PEM files); with `clientCaFile`, clients must present a certificate it issued. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly clientCaFile?: string };
  /** Require basic auth against this htpasswd file (bcrypt entries). */
  readonly htpasswdFile?: string;
  /** Require bearer tokens from this token server (see startTokenServer). */
  readonly token?: TokenServer;
}

export interface TokenServer {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** The CA that issued the token-signing certificate: the registry's root bundle. */
  readonly rootFile: string;
}

/** Starts docker-registry inside `host`'s namespace and waits until /v2/ answers there. */
export async function startRegistry(t: TestContext, host: HostLayout, options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-registry-'));
  const address = `${host.addr}:${PORT}`;
  const dataDir = join(dir, 'data');
  const config = ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${dataDir}`, '  delete:', '    enabled: true', 'http:', `  addr: ${address}`];
  if (options.tls) config.push('  tls:', `    certificate: ${options.tls.certFile}`, `    key: ${options.tls.keyFile}`);
  if (options.tls?.clientCaFile) config.push('    clientcas:', `      - ${options.tls.clientCaFile}`);
  if (options.htpasswdFile) config.push('auth:', '  htpasswd:', '    realm: shoal-test', `    path: ${options.htpasswdFile}`);
  if (options.token) {
    const { realm, service, issuer, rootFile } = options.token;
    config.push('auth:', '  token:', `    realm: ${realm}`, `    service: ${service}`, `    issuer: ${issuer}`, `    rootcertbundle: ${rootFile}`);
  }
  writeFileSync(join(dir, 'config.yml'), [...config, ''].join('\n'));
  const stop = spawnIn(host, ['docker-registry', 'serve', join(dir, 'config.yml')], join(dir, 'registry.log'));
  t.after(async () => {
    await stop();
    if ((t as TestContext & { passed?: boolean }).passed !== true) process.stderr.write(`\n===== registry log =====\n${readFileSync(join(dir, 'registry.log'), 'utf8').slice(-4000)}\n`);
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(`registry on ${address}`, async () => ((await listening(host, address)) ? true : undefined), { timeoutMs: 15_000, intervalMs: 200 });
  return { address, dataDir, stop };
}

/** Runs `argv` inside the host's namespace, output to `logFile`; returns an idempotent stop (SIGTERM, then SIGKILL after 5 s). */
function spawnIn(host: HostLayout, argv: readonly string[], logFile: string): () => Promise<void> {
  const log = openSync(logFile, 'a');
  const child = spawn('nsenter', [`--net=/run/netns/${host.netns}`, '--', ...argv], { stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => undefined);
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
  };
}

const TOKEN_SERVER = fileURLToPath(new URL('./token-server.js', import.meta.url));
const TOKEN_PORT = 5001;

/**
 * Starts a token server on `host` (port 5001) that signs tokens with `keyFile` (its certificate
 * `certFile`, issued by `rootFile`, goes in each token's x5c) and grants what is asked to
 * user:password only.
 */
export async function startTokenServer(
  t: TestContext,
  host: HostLayout,
  keys: { keyFile: string; certFile: string; rootFile: string },
  user: string,
  password: string,
): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-token-'));
  const server: TokenServer = { realm: `http://${host.addr}:${TOKEN_PORT}/token`, service: 'shoal-test-registry', issuer: 'shoal-test-issuer', rootFile: keys.rootFile };
  const stop = spawnIn(host, [process.execPath, TOKEN_SERVER, host.addr, String(TOKEN_PORT), keys.keyFile, keys.certFile, user, password, server.service, server.issuer], join(dir, 'token.log'));
  t.after(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(`token server on ${host.addr}:${TOKEN_PORT}`, async () => ((await listening(host, `${host.addr}:${TOKEN_PORT}`)) ? true : undefined), { timeoutMs: 15_000, intervalMs: 200 });
  return server;
}

/** Whether something accepts TCP connections on `address` ("ip:port"), asked from inside the host's namespace. */
async function listening(host: HostLayout, address: string): Promise<boolean> {
  const [ip, port] = address.split(':');
  const script = `require('net').connect(${Number(port)}, '${ip}').on('connect', () => { console.log(1); process.exit(0); }).on('error', () => console.log(0))`;
  const r = await execOnHost(host, [process.execPath, '-e', script], { timeoutMs: 10_000 });
  return r.stdout.trim() === '1';
}

/**
 * A throwaway CA (ca.crt, ca.key), a server certificate for `ip` (server.crt, server.key) and a client
 * certificate (client.cert, client.key: the names Docker's certs.d expects), all issued by it, in `dir`.
 */
export function makeTestCa(dir: string, ip: string): { caFile: string; certFile: string; keyFile: string; clientCertFile: string; clientKeyFile: string } {
  const at = (f: string) => join(dir, f);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.crt'), '-days', '1', '-subj', '/CN=shoal-test-ca']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', `/CN=${ip}`]);
  writeFileSync(at('server.ext'), `subjectAltName=IP:${ip}\n`);
  openssl(['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.crt'), '-days', '1', '-extfile', at('server.ext')]);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('client.key'), '-out', at('client.csr'), '-subj', '/CN=shoal-test-client']);
  writeFileSync(at('client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl(['x509', '-req', '-in', at('client.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('client.cert'), '-days', '1', '-extfile', at('client.ext')]);
  return { caFile: at('ca.crt'), certFile: at('server.crt'), keyFile: at('server.key'), clientCertFile: at('client.cert'), clientKeyFile: at('client.key') };
}

/** An htpasswd file with one bcrypt entry, as the registry's htpasswd auth wants. */
export function writeHtpasswd(path: string, user: string, password: string): void {
  writeFileSync(path, execFileSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' }));
}

/** Pushes a local image source (e.g. "docker-archive:/tmp/x.tar", "oci:/tmp/layout:1") with skopeo, from inside `host`. */
export async function skopeoPush(host: HostLayout, source: string, destination: string, options: { all?: boolean; creds?: string; certDir?: string } = {}): Promise<void> {
  const argv = [
    'skopeo', 'copy', '-q', '--dest-tls-verify=false', ...(options.all ? ['--all'] : []), ...(options.creds ? ['--dest-creds', options.creds] : []),
    ...(options.certDir ? ['--dest-cert-dir', options.certDir] : []), source, `docker://${destination}`,
  ];
  const r = await execOnHost(host, argv, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: exit ${r.code}: ${r.stderr.trim()}`);
}
