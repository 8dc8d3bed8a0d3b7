// Join tokens in swarmkit's v1 format: SWMTKN-1-<digest>-<secret>, where digest is the SHA-256 of
// the root CA PEM as a base 36 integer padded to 50 characters and secret is 16 random bytes as a
// base 36 integer padded to 25 (swarmkit ca/config.go GenerateJoinToken).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { bytesToBigInt, parseBase36, toBase36 } from '../ids/base36.js';
import type { RandomBytes } from '../ids/random-id.js';
import { CaDigestMismatchError, InvalidJoinTokenError } from './errors.js';
import type { NodeRole } from './identity.js';

const PREFIX = 'SWMTKN';
const VERSION = '1';
const DIGEST_CHARS = 50;
const SECRET_CHARS = 25;
const SECRET_BYTES = 16;

export interface ParsedJoinToken {
  /** SHA-256 of the root CA PEM the token pins, 64 lower-case hex characters. */
  readonly rootDigestHex: string;
  /** The secret part, 25 base 36 characters. */
  readonly secret: string;
}

/** SHA-256 of the PEM text exactly as given, as hex. */
export function caDigestHex(caPem: string): string {
  return createHash('sha256').update(caPem, 'utf8').digest('hex');
}

/** A new token pinning `caPem`. Rotating a token is generating a new one for the same CA. */
export function generateJoinToken(caPem: string, random: RandomBytes = randomBytes): string {
  const digest = toBase36(BigInt(`0x${caDigestHex(caPem)}`), DIGEST_CHARS);
  const bytes = random(SECRET_BYTES);
  if (bytes.length !== SECRET_BYTES) throw new RangeError(`random source gave ${bytes.length} bytes, wanted ${SECRET_BYTES}`);
  const secret = toBase36(bytesToBigInt(bytes), SECRET_CHARS);
  return `${PREFIX}-${VERSION}-${digest}-${secret}`;
}

/** Splits a token; throws InvalidJoinTokenError ("invalid join token") when it is malformed. */
export function parseJoinToken(token: string): ParsedJoinToken {
  const parts = token.split('-');
  if (parts.length !== 4 || parts[0] !== PREFIX) throw new InvalidJoinTokenError('not of the form SWMTKN-1-<digest>-<secret>');
  const [, version, digestText = '', secret = ''] = parts;
  if (version !== VERSION) throw new InvalidJoinTokenError(`unsupported token version ${JSON.stringify(version)}`);
  const digest = digestText.length === DIGEST_CHARS ? parseBase36(digestText) : null;
  if (digest === null || digest >= 1n << 256n) throw new InvalidJoinTokenError('CA digest is not 50 base 36 characters of a SHA-256');
  const secretValue = secret.length === SECRET_CHARS ? parseBase36(secret) : null;
  if (secretValue === null || secretValue >= 1n << BigInt(8 * SECRET_BYTES)) {
    throw new InvalidJoinTokenError('secret is not 25 base 36 characters of 16 bytes');
  }
  return { rootDigestHex: digest.toString(16).padStart(64, '0'), secret };
}

/**
 * Checks that the root CA a manager served is the one the token pins; throws CaDigestMismatchError
 * otherwise (or InvalidJoinTokenError for a malformed token). A joining node must call this before
 * trusting anything signed by the downloaded CA.
 */
export function verifyCaAgainstToken(caPem: string, token: string): void {
  const { rootDigestHex } = parseJoinToken(token);
  const actual = caDigestHex(caPem);
  if (actual !== rootDigestHex) throw new CaDigestMismatchError(rootDigestHex, actual);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The role a presented token admits, or null when it is neither current token (a rotated-away secret
 * or one for another CA). Compared in constant time. Throws InvalidJoinTokenError when malformed.
 */
export function matchJoinToken(token: string, current: { readonly worker: string; readonly manager: string }): NodeRole | null {
  parseJoinToken(token);
  // Both comparisons always run, so timing does not tell which role matched.
  const isWorker = sameText(token, current.worker);
  const isManager = sameText(token, current.manager);
  if (isManager) return 'manager';
  if (isWorker) return 'worker';
  return null;
}
