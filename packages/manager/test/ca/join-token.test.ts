import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CaDigestMismatchError,
  InvalidJoinTokenError,
  caDigestHex,
  generateJoinToken,
  matchJoinToken,
  parseJoinToken,
  verifyCaAgainstToken,
} from '../../src/ca/index.js';
import { DOCKERD_JOIN_TOKENS, DOCKERD_TLS_INFO } from './dockerd-fixture.js';
import { twoRoots } from './helpers.js';

const DOCKERD_DIGEST_HEX = '4fe13079663081dca287e9fcb4a1fb971ad42c14e7f8325b99fb4d65153cf976';
const DOCKERD_DIGEST_BASE36 = '1zo83574ewocg82pw0wdjcvc85g7p9wkw9kcbp8jd5mw3bkk1i';

test('join token digest is sha256 of the TrustRoot PEM in base 36, as dockerd writes it', () => {
  assert.equal(caDigestHex(DOCKERD_TLS_INFO.TrustRoot), DOCKERD_DIGEST_HEX);
  const token = generateJoinToken(DOCKERD_TLS_INFO.TrustRoot);
  assert.match(token, /^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
  assert.equal(token.split('-')[2], DOCKERD_DIGEST_BASE36);
});

test('join token secret is the 16 random bytes in base 36, left-padded to 25', () => {
  const zeros = generateJoinToken(DOCKERD_TLS_INFO.TrustRoot, (n) => new Uint8Array(n));
  assert.equal(zeros, `SWMTKN-1-${DOCKERD_DIGEST_BASE36}-${'0'.repeat(25)}`);
  const ones = generateJoinToken(DOCKERD_TLS_INFO.TrustRoot, (n) => new Uint8Array(n).fill(0xff));
  assert.equal(ones.split('-')[3], (2n ** 128n - 1n).toString(36).padStart(25, '0'));
  assert.notEqual(generateJoinToken(DOCKERD_TLS_INFO.TrustRoot), generateJoinToken(DOCKERD_TLS_INFO.TrustRoot));
});

test('parseJoinToken reads the tokens dockerd issued', () => {
  for (const token of [DOCKERD_JOIN_TOKENS.worker, DOCKERD_JOIN_TOKENS.manager]) {
    const parsed = parseJoinToken(token);
    assert.equal(parsed.rootDigestHex, DOCKERD_DIGEST_HEX);
    assert.equal(parsed.secret, token.split('-')[3]);
  }
});

test('parseJoinToken refuses malformed tokens with "invalid join token"', () => {
  const secret = 'a8fiiug3de6vrwasjs0c8x1mf';
  const malformed = [
    '',
    'garbage',
    `SWMTKN-1-${DOCKERD_DIGEST_BASE36}`,
    `SWMTKN-2-${DOCKERD_DIGEST_BASE36}-${secret}`,
    `SWMTKX-1-${DOCKERD_DIGEST_BASE36}-${secret}`,
    `SWMTKN-1-${DOCKERD_DIGEST_BASE36.slice(1)}-${secret}`,
    `SWMTKN-1-${DOCKERD_DIGEST_BASE36}-${secret.slice(1)}`,
    `SWMTKN-1-${DOCKERD_DIGEST_BASE36.toUpperCase()}-${secret}`,
    `SWMTKN-1-${DOCKERD_DIGEST_BASE36}-${secret}-extra`,
    // 50 'z's is more than 2^256: not a SHA-256.
    `SWMTKN-1-${'z'.repeat(50)}-${secret}`,
    `SWMTKN-1-${DOCKERD_DIGEST_BASE36}-${'z'.repeat(25)}`,
  ];
  for (const token of malformed) {
    assert.throws(
      () => parseJoinToken(token),
      (error: unknown) =>
        error instanceof InvalidJoinTokenError && error.message === 'invalid join token' && error.code === 'ERR_INVALID_JOIN_TOKEN',
      token,
    );
  }
});

test('verifyCaAgainstToken accepts the pinned CA and refuses another one', async () => {
  const [root, other] = await twoRoots();
  const token = generateJoinToken(root.certPem);
  verifyCaAgainstToken(root.certPem, token);
  verifyCaAgainstToken(DOCKERD_TLS_INFO.TrustRoot, DOCKERD_JOIN_TOKENS.worker);
  assert.throws(
    () => verifyCaAgainstToken(other.certPem, token),
    (error: unknown) =>
      error instanceof CaDigestMismatchError &&
      error.code === 'ERR_CA_DIGEST_MISMATCH' &&
      error.message === `remote CA does not match fingerprint. Expected: sha256:${caDigestHex(root.certPem)}`,
  );
  // The PEM is hashed byte for byte: a re-encoded copy of the same certificate is a different CA.
  assert.throws(() => verifyCaAgainstToken(root.certPem.replace(/\n/g, '\r\n'), token), CaDigestMismatchError);
  assert.throws(() => verifyCaAgainstToken(root.certPem, 'SWMTKN-1-x-y'), InvalidJoinTokenError);
});

test('matchJoinToken gives the role of a current token and null for a rotated-away one', () => {
  const current = DOCKERD_JOIN_TOKENS;
  assert.equal(matchJoinToken(current.worker, current), 'worker');
  assert.equal(matchJoinToken(current.manager, current), 'manager');
  const rotated = generateJoinToken(DOCKERD_TLS_INFO.TrustRoot);
  assert.equal(matchJoinToken(rotated, current), null);
  assert.equal(matchJoinToken(current.worker, { worker: rotated, manager: current.manager }), null);
  assert.throws(() => matchJoinToken('SWMTKN-1-nope', current), InvalidJoinTokenError);
});
