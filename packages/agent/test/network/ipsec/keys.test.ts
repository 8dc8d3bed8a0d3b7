// The agent's view of the key ring and Docker's SPI derivation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSpi, ipsecKeys, type EncryptionKeyLike } from '../../../src/network/ipsec/index.js';

const key = (lamportTime: number, fill = lamportTime, extra: Partial<EncryptionKeyLike> = {}): EncryptionKeyLike => ({
  subsystem: 'networking:ipsec', algorithm: 'AES_128_GCM', key: new Uint8Array(16).fill(fill), lamportTime, ...extra,
});

test('the primary key is the second oldest by Lamport time, every usable key is kept oldest first', () => {
  const ring = ipsecKeys([key(7), key(5), key(6)]);
  assert.deepEqual(ring?.all.map((k) => k.tag), [5, 6, 7]);
  assert.equal(ring?.primary.tag, 6);
  assert.deepEqual([...(ring?.primary.key ?? [])], new Array(16).fill(6));
});

test('keys of another subsystem or algorithm, or of the wrong length, are ignored; a lone key is primary; no key is no ring', () => {
  const ring = ipsecKeys([key(1, 1, { subsystem: 'networking:gossip' }), key(2, 2, { algorithm: 'AES_256_GCM' }), key(3, 3, { key: new Uint8Array(8) }), key(4)]);
  assert.deepEqual(ring?.all.map((k) => k.tag), [4]);
  assert.equal(ring?.primary.tag, 4);
  assert.equal(ipsecKeys([]), undefined);
  assert.equal(ipsecKeys([key(1, 1, { subsystem: 'networking:gossip' })]), undefined);
});

test('a Lamport time past 32 bits is tagged with its low 32 bits, as Docker does (uint32)', () => {
  assert.equal(ipsecKeys([key(2 ** 32 + 9)])?.primary.tag, 9);
});

test('SPIs follow Docker: FNV-1a over source (16-byte form), tag (big-endian) and destination; one per direction and key', () => {
  // Computed independently of the code under test (Python, the byte layout of libnetwork's buildSPI).
  assert.equal(buildSpi('198.51.100.1', '198.51.100.2', 3), 0x425c8d19);
  assert.equal(buildSpi('198.51.100.2', '198.51.100.1', 3), 0x85a66769);
  assert.notEqual(buildSpi('198.51.100.1', '198.51.100.2', 4), buildSpi('198.51.100.1', '198.51.100.2', 3));
  for (let tag = 0; tag < 2000; tag++) assert.ok(buildSpi('10.0.0.1', '10.0.0.2', tag) >= 0x100, 'never a reserved SPI');
});
