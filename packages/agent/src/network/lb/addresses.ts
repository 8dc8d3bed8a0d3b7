// Address and port checks shared by the DNS, load-balancing and publishing code, so that nothing
// malformed ever reaches an nft script.

export type L4Protocol = 'tcp' | 'udp';

export class NetworkSpecError extends Error {
  readonly code = 'invalid-network-spec';
  constructor(message: string) {
    super(message);
    this.name = 'NetworkSpecError';
  }
}

export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

export function assertIPv4(text: string, what: string): void {
  if (!isIPv4(text)) throw new NetworkSpecError(`${what}: "${text}" is not an IPv4 address`);
}

export function assertPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new NetworkSpecError(`${what}: invalid port ${port} (must be 1-65535)`);
  }
}

/** 10.0.0.5 → "0a000005": a name fragment for nft chains that is unique per address. */
export function ipv4Hex(ip: string): string {
  return ip.split('.').map((p) => Number(p).toString(16).padStart(2, '0')).join('');
}
