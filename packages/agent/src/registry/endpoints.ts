// Which registries may be reached over plain HTTP or without verifying their certificate, and the
// TLS material each one gets: dockerd's rules. A registry is insecure when named with
// --insecure-registry (as host[:port] or a CIDR holding its address) or on a loopback address;
// every other one is HTTPS only, verified against the system CAs plus <certsDir>/<host:port>/*.crt,
// with <certsDir>/<host:port>/client.cert and client.key as its client certificate.
import { readdir, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { TlsSettings } from './http.js';

export interface RegistryOptions {
  /** --insecure-registry values: "host:port", "host", or a CIDR such as "198.51.100.0/24". */
  readonly insecureRegistries: readonly string[];
  /** Docker's /etc/docker/certs.d layout. */
  readonly certsDir: string;
}

/** Whether `host` ("198.51.100.1:5000", "localhost:5000", "registry.example") is an insecure registry. */
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** The system's CA bundle (Debian's ca-certificates), else the CAs Node was built with. */
async function systemCas(): Promise<Buffer[]> {
  const bundle = await readFile(SYSTEM_BUNDLE).catch(() => undefined);
  return bundle !== undefined ? [bundle] : rootCertificates.map((c) => Buffer.from(c));
}

export function isInsecureRegistry(host: string, insecure: readonly string[]): boolean {
  const hostname = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  if (hostname === 'localhost' || hostname === '::1' || inCidr(hostname, '127.0.0.0/8')) return true;
  return insecure.some((entry) => entry === host || entry === hostname || (entry.includes('/') && inCidr(hostname, entry)));
}

function inCidr(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  if (isIP(address) !== 4 || isIP(base ?? '') !== 4) return false;
  const prefix = Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) return false;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return ((ipv4(address) & mask) >>> 0) === ((ipv4(base!) & mask) >>> 0);
}

function ipv4(address: string): number {
  return address.split('.').reduce((n, octet) => ((n << 8) | Number(octet)) >>> 0, 0);
}

/** Refuses --insecure-registry values dockerd would refuse; returns the message, or undefined when valid. */
export function invalidInsecureRegistry(value: string): string | undefined {
  if (value.includes('://')) return `insecure registry ${value} should not contain '://'`;
  if (value.includes('/')) {
    const [base, bits] = value.split('/');
    if (isIP(base ?? '') === 0 || !/^\d{1,3}$/.test(bits ?? '')) return `invalid CIDR address: ${value}`;
  }
  return undefined;
}

/** The registry's TLS settings: verification off when insecure; otherwise system CAs plus its certs.d files. */
export async function tlsSettings(host: string, options: RegistryOptions, insecure: boolean): Promise<TlsSettings> {
  const dir = join(options.certsDir, host);
  const files = await readdir(dir).catch(() => [] as string[]);
  const extraCas = await Promise.all(files.filter((f) => f.endsWith('.crt')).map((f) => readFile(join(dir, f))));
  const cert = files.includes('client.cert') ? await readFile(join(dir, 'client.cert')) : undefined;
  const key = files.includes('client.key') ? await readFile(join(dir, 'client.key')) : undefined;
  return {
    ca: [...(await systemCas()), ...extraCas],
    ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
    rejectUnauthorized: !insecure,
  };
}
