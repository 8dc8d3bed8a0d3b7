import { certificateValidity } from './identity.js';

/** Renewal starts no earlier than this fraction of the lifetime (swarmkit's CertLowerRotationRange)... */
export const RENEWAL_LOWER_FRACTION = 0.5;
/** ...and no later than this one (CertUpperRotationRange); the spread avoids a thundering herd. */
export const RENEWAL_UPPER_FRACTION = 0.8;

/**
 * The moment to renew a certificate: a random point between 50% and 80% of its lifetime (counted from
 * its backdated NotBefore, as swarmkit does). `random` returns a number in [0, 1); draw the time once
 * per certificate and keep it, or repeated checks would drift the spread towards the early end.
 */
export function renewalTimeMs(certPem: string, random: () => number): number {
  const { notBeforeMs, notAfterMs } = certificateValidity(certPem);
  const r = random();
  if (!(r >= 0 && r < 1)) throw new RangeError(`random source gave ${r}, outside [0, 1)`);
  const fraction = RENEWAL_LOWER_FRACTION + r * (RENEWAL_UPPER_FRACTION - RENEWAL_LOWER_FRACTION);
  return notBeforeMs + Math.floor((notAfterMs - notBeforeMs) * fraction);
}

/** Whether a certificate is due for renewal at `nowMs` (see renewalTimeMs for `random`). */
export function needsRenewal(certPem: string, nowMs: number, random: () => number): boolean {
  return nowMs >= renewalTimeMs(certPem, random);
}
