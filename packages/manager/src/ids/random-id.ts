import { randomFillSync } from 'node:crypto';
import { bytesToBigInt, toBase36 } from './base36.js';

/** Length of every swarm object ID (node, cluster, network, service, task). */
export const ID_LENGTH = 25;

const ID_RE = /^[0-9a-z]{25}$/;
// swarmkit identity.NewID: 17 random bytes with the top bit set so the base 36 text always has 27
// digits; dropping the first (low-entropy) digit and keeping 25 leaves ~129 bits of randomness.
const ENTROPY_BYTES = 17;

/** A source of random bytes; injectable so tests can replay IDs. */
export type RandomBytes = (size: number) => Uint8Array;

/**
 * Random bytes drawn from the OS in blocks: a call into the CSPRNG per ID cost ~17 µs, 1.7 s of the
 * leader's event loop for a service of 100,000 replicas (as Node buffers entropy for randomUUID).
 */
const POOL_BYTES = ENTROPY_BYTES * 256;
const pool = new Uint8Array(POOL_BYTES);
let poolOffset = POOL_BYTES;

function pooledRandomBytes(size: number): Uint8Array {
  if (size > POOL_BYTES) return randomFillSync(new Uint8Array(size));
  if (poolOffset + size > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = pool.slice(poolOffset, poolOffset + size);
  poolOffset += size;
  return out;
}

/** A new 25-character base 36 ID in the shape of swarmkit's `identity.NewID()`. */
export function newId(random: RandomBytes = pooledRandomBytes): string {
  const bytes = Uint8Array.from(random(ENTROPY_BYTES));
  if (bytes.length !== ENTROPY_BYTES) throw new RangeError(`random source gave ${bytes.length} bytes, wanted ${ENTROPY_BYTES}`);
  bytes[0] = (bytes[0] ?? 0) | 0x80;
  return toBase36(bytesToBigInt(bytes), 0).slice(1, 1 + ID_LENGTH);
}

/** Whether `text` has the shape of an ID made by newId. */
export function isId(text: string): boolean {
  return ID_RE.test(text);
}
