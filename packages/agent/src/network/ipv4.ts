// IPv4 addresses as unsigned 32-bit numbers, and the MAC Docker derives from an address.
import { NetworkError } from './errors.js';

export function parseIPv4(s: string): number {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) {
    throw new NetworkError('invalid-argument', `invalid IPv4 address ${JSON.stringify(s)}`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  /** The network address (host bits zero). */
  readonly base: number;
  readonly prefixLen: number;
}

export function parseCidr(s: string): Cidr {
  const [addr, len, extra] = s.split('/');
  const prefixLen = Number(len);
  if (addr === undefined || extra !== undefined || !/^[0-9]{1,2}$/.test(len ?? '') || prefixLen > 32) {
    throw new NetworkError('invalid-argument', `invalid IPv4 subnet ${JSON.stringify(s)}`);
  }
  const base = parseIPv4(addr);
  const size = 2 ** (32 - prefixLen);
  return { base: base - (base % size), prefixLen };
}

export function cidrContains(cidr: Cidr, ip: number): boolean {
  const size = 2 ** (32 - cidr.prefixLen);
  return ip >= cidr.base && ip < cidr.base + size;
}

/** Docker's endpoint MAC: 02:42 followed by the four address bytes (libnetwork netutils.GenerateMACFromIP). */
export function macFromIp(ip: string): string {
  const n = parseIPv4(ip);
  const bytes = [0x02, 0x42, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function normalizeMac(mac: string): string {
  if (!/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(mac)) {
    throw new NetworkError('invalid-argument', `invalid MAC address ${JSON.stringify(mac)}`);
  }
  return mac.toLowerCase();
}
