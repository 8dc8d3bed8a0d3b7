// The network key ring as the agent uses it (libnetwork's getKeys/getPrimaryKeyTag): keys of the
// networking:ipsec subsystem ordered by Lamport time; every key is accepted inbound, and the primary,
// which outbound traffic uses, is the second oldest: the newest key was handed out by the last
// rotation and becomes primary at the next, by when every node has it.
import { parseIPv4 } from '../ipv4.js';

/** The session message's shape of a key (proto EncryptionKey). */
export interface EncryptionKeyLike {
  readonly subsystem: string;
  readonly algorithm: string;
  readonly key: Uint8Array;
  readonly lamportTime: number;
}

export interface SaKey {
  /** 16 bytes of AES-128 key. */
  readonly key: Uint8Array;
  /** The key's Lamport time as an unsigned 32-bit value: it goes into the SPIs. */
  readonly tag: number;
}

export interface IpsecKeys {
  /** Oldest first. */
  readonly all: readonly SaKey[];
  readonly primary: SaKey;
}

const SUBSYSTEM = 'networking:ipsec';
const ALGORITHM = 'AES_128_GCM';
const KEY_BYTES = 16;

/** The usable ring, or undefined when the managers sent none (keys of other kinds are ignored). */
export function ipsecKeys(keys: readonly EncryptionKeyLike[]): IpsecKeys | undefined {
  const usable = keys
    .filter((k) => k.subsystem === SUBSYSTEM && k.algorithm === ALGORITHM && k.key.length === KEY_BYTES)
    .sort((a, b) => a.lamportTime - b.lamportTime)
    .map((k) => ({ key: Uint8Array.from(k.key), tag: k.lamportTime >>> 0 }));
  const primary = usable[1] ?? usable[0];
  return primary === undefined ? undefined : { all: usable, primary };
}

/**
 * Docker's SPI (libnetwork buildSPI): FNV-1a (32 bits) over the source address, the key's tag
 * (big-endian) and the destination address, addresses in Go's 16-byte form (::ffff:a.b.c.d). SPIs
 * below 256 are reserved (RFC 4303), so those few move up by 256.
 */
export function buildSpi(src: string, dst: string, tag: number): number {
  const bytes = [...mapped(src), (tag >>> 24) & 0xff, (tag >>> 16) & 0xff, (tag >>> 8) & 0xff, tag & 0xff, ...mapped(dst)];
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h < 0x100 ? h + 0x100 : h;
}

function mapped(ip: string): number[] {
  const v = parseIPv4(ip);
  return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}
