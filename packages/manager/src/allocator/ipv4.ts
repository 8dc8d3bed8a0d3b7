// IPv4 addresses and prefixes as unsigned 32-bit numbers. Everything here is exact integer
// arithmetic on values in [0, 2^32); `>>> 0` keeps results unsigned after bitwise operations.

export type Ipv4 = number;

/** A prefix in canonical form: `base` has no host bits set; `prefixLength` is 0..32. */
export interface Cidr {
  readonly base: Ipv4;
  readonly prefixLength: number;
}

const octet = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parses dotted-quad notation; undefined for anything else (no leading zeros, no IPv6). */
export function parseIpv4(text: string): Ipv4 | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => octet.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(ip: Ipv4): string {
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

/** Size of a prefix in addresses (2^(32-len)); a JS number holds 2^32 exactly. */
export function cidrSize(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

export function maskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/**
 * Parses "a.b.c.d/len". `strict` refuses host bits (Docker's subnets must be canonical); otherwise
 * host bits are cleared, which is how --ip-range is read.
 */
export function parseCidr(text: string, strict = true): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIpv4(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (ip === undefined || !/^(3[0-2]|[12]?\d)$/.test(lengthText)) return undefined;
  const prefixLength = Number(lengthText);
  const base = (ip & maskOf(prefixLength)) >>> 0;
  if (strict && base !== ip) return undefined;
  return { base, prefixLength };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.base)}/${cidr.prefixLength}`;
}

/** The last address of the prefix (its broadcast address for prefixes up to /30). */
export function lastAddress(cidr: Cidr): Ipv4 {
  return cidr.base + cidrSize(cidr.prefixLength) - 1;
}

export function contains(cidr: Cidr, ip: Ipv4): boolean {
  return ip >= cidr.base && ip <= lastAddress(cidr);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

/** "10.0.1.3" within 10.0.1.0/24 → "10.0.1.3/24", the form Docker shows endpoint addresses in. */
export function withPrefix(ip: Ipv4, cidr: Cidr): string {
  return `${formatIpv4(ip)}/${cidr.prefixLength}`;
}
