import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NODE_CERT_BACKDATE_MS, needsRenewal, renewalTimeMs } from '../../src/ca/index.js';
import { HOUR_MS, NOW_MS, issueNode, rootCa } from './helpers.js';

// 99 h of expiry plus the 1 h backdate: a lifetime of exactly 100 h, starting at NOW_MS - 1 h.
let cert: Promise<string> | null = null;
function hundredHourCert(): Promise<string> {
  cert ??= rootCa().then((root) => issueNode(root, 'worker', { nowMs: NOW_MS, expiryMs: 99 * HOUR_MS }).certPem);
  return cert;
}
const START_MS = NOW_MS - NODE_CERT_BACKDATE_MS;

test('renewal time is a random point between 50% and 80% of the lifetime', async () => {
  const certPem = await hundredHourCert();
  assert.equal(renewalTimeMs(certPem, () => 0), START_MS + 50 * HOUR_MS);
  assert.equal(renewalTimeMs(certPem, () => 0.5), START_MS + 65 * HOUR_MS);
  const latest = renewalTimeMs(certPem, () => 0.9999);
  assert.ok(latest <= START_MS + 80 * HOUR_MS && latest > START_MS + 79.99 * HOUR_MS);
});

test('needsRenewal turns true at the drawn renewal time, not before', async () => {
  const certPem = await hundredHourCert();
  const random = () => 0.5;
  assert.equal(needsRenewal(certPem, START_MS + 65 * HOUR_MS - 1, random), false);
  assert.equal(needsRenewal(certPem, START_MS + 65 * HOUR_MS, random), true);
  assert.equal(needsRenewal(certPem, NOW_MS, () => 0), false, 'a fresh certificate is not due');
  assert.equal(needsRenewal(certPem, NOW_MS + 200 * HOUR_MS, () => 0.99), true, 'an expired certificate is due');
});

test('a random source outside [0, 1) is refused', async () => {
  const certPem = await hundredHourCert();
  for (const bad of [1, -0.1, Number.NaN]) assert.throws(() => renewalTimeMs(certPem, () => bad), RangeError);
});
