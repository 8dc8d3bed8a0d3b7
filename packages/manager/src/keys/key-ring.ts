// The network key ring's rules, free of clocks and randomness (both are arguments): the keys of
// encrypted overlays (swarmkit's NetworkBootstrapKeys, subsystem networking:ipsec). The ring holds
// KEY_RING_SIZE keys; a rotation drops the oldest and adds a new one with the next Lamport time.
// Agents send with the middle key and accept all three, so a new key is accepted everywhere one
// rotation before anyone sends with it, and the key being dropped was last sent with one rotation ago.

export const KEY_RING_SIZE = 3;
export const KEY_LENGTH_BYTES = 16;
export const DEFAULT_KEY_ROTATION_MS = 12 * 60 * 60 * 1000;
export const IPSEC_SUBSYSTEM = 'networking:ipsec';
export const AES_128_GCM = 'AES_128_GCM';

/** One key as the cluster object stores it (JSON, so the key is base64). */
export interface NetworkKey {
  readonly Subsystem: typeof IPSEC_SUBSYSTEM;
  readonly Algorithm: typeof AES_128_GCM;
  /** KEY_LENGTH_BYTES random bytes, base64. */
  readonly Key: string;
  /** Unique and increasing across the ring's history: a new key's is the ring's largest plus one. */
  readonly LamportTime: number;
  /** When it was made (ms since the epoch): the newest key's says when the next rotation is due. */
  readonly CreatedAtMs: number;
}

export interface KeyRingPlan {
  /** The ring to store, when it differs from the current one. */
  readonly next: readonly NetworkKey[] | undefined;
  /** When the ring must be looked at again (the next rotation). */
  readonly wakeAtMs: number;
}

export interface KeyRingOptions {
  readonly nowMs: number;
  /** A rotation is due this long after the newest key was made. */
  readonly rotationMs: number;
  /** KEY_LENGTH_BYTES random bytes, base64. */
  readonly randomKey: () => string;
}

const BASE64_16_BYTES = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

function newKey(lamportTime: number, opts: KeyRingOptions): NetworkKey {
  const key = opts.randomKey();
  if (!BASE64_16_BYTES.test(key)) throw new Error(`a network key must be ${KEY_LENGTH_BYTES} bytes in base64`);
  return { Subsystem: IPSEC_SUBSYSTEM, Algorithm: AES_128_GCM, Key: key, LamportTime: lamportTime, CreatedAtMs: opts.nowMs };
}

/**
 * What the leader does with the stored ring at `nowMs`: a full ring when there is none (a new
 * cluster), one rotation when the newest key is older than the interval, nothing otherwise. A leader
 * that was away for several intervals rotates once: a second rotation right after the first would
 * send with a key some agents have not been given yet.
 */
export function planKeyRing(current: readonly NetworkKey[] | undefined, opts: KeyRingOptions): KeyRingPlan {
  if (!(opts.rotationMs > 0)) throw new Error(`key rotation interval must be positive, not ${opts.rotationMs}`);
  const sorted = [...(current ?? [])].sort((a, b) => a.LamportTime - b.LamportTime);
  if (sorted.length === 0) {
    const next = Array.from({ length: KEY_RING_SIZE }, (_, i) => newKey(i + 1, opts));
    return { next, wakeAtMs: opts.nowMs + opts.rotationMs };
  }
  const newest = sorted[sorted.length - 1]!;
  const dueAtMs = newest.CreatedAtMs + opts.rotationMs;
  // A key made more than an interval in the future says the clock went back: rotating then beats waiting that long.
  const clockWentBack = newest.CreatedAtMs > opts.nowMs + opts.rotationMs;
  if (opts.nowMs < dueAtMs && !clockWentBack) return { next: undefined, wakeAtMs: dueAtMs };
  const next = [...sorted.slice(Math.max(0, sorted.length - KEY_RING_SIZE + 1)), newKey(newest.LamportTime + 1, opts)];
  return { next, wakeAtMs: opts.nowMs + opts.rotationMs };
}
