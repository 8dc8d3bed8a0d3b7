// The XFRM tables encrypted overlays need and the ordered commands between two of them (pure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSpi, ipsecKeys, wantedXfrm, xfrmCommands, type EncryptionKeyLike } from '../../../src/network/ipsec/index.js';
import { EMPTY_XFRM, parsePolicies, parseStates } from '../../../src/network/ipsec/xfrm.js';

const L = '198.51.100.1';
const R = '198.51.100.2';
const key = (lamportTime: number): EncryptionKeyLike => ({ subsystem: 'networking:ipsec', algorithm: 'AES_128_GCM', key: new Uint8Array(16).fill(lamportTime), lamportTime });
const ring = (...times: number[]) => ipsecKeys(times.map(key))!;
const spi = (src: string, dst: string, tag: number) => `0x${buildSpi(src, dst, tag).toString(16).padStart(8, '0')}`;
/** One line per command, without the `ip xfrm` prefix and the key material. */
const summary = (cmds: string[][]) => cmds.map((c) => c.slice(2, c.includes('aead') ? c.indexOf('aead') : undefined).join(' '));

test('a new remote gets its outbound policy first, then SAs in for every key and out for the primary', () => {
  const cmds = xfrmCommands(EMPTY_XFRM, wantedXfrm(L, [R], ring(1, 2, 3), 4789));
  assert.deepEqual(summary(cmds), [
    `policy add src ${L}/32 dst ${R}/32 proto udp dport 4789 dir out tmpl src ${L} dst ${R} proto esp spi ${spi(L, R, 2)} reqid 0x00d0c4e3 mode transport`,
    `state add src ${R} dst ${L} proto esp spi ${spi(R, L, 1)} reqid 0x00d0c4e3 mode transport`,
    `state add src ${R} dst ${L} proto esp spi ${spi(R, L, 2)} reqid 0x00d0c4e3 mode transport`,
    `state add src ${R} dst ${L} proto esp spi ${spi(R, L, 3)} reqid 0x00d0c4e3 mode transport`,
    `state add src ${L} dst ${R} proto esp spi ${spi(L, R, 2)} reqid 0x00d0c4e3 mode transport`,
  ]);
});

test('an SA\'s AEAD is rfc4106(gcm(aes)) with the 16-byte key followed by the SPI as salt, and a 64-bit ICV', () => {
  const cmds = xfrmCommands(EMPTY_XFRM, wantedXfrm(L, [R], ring(1, 2, 3), 4789));
  const out = cmds.find((c) => c.includes(spi(L, R, 2)) && c[2] === 'state')!;
  assert.deepEqual(out.slice(out.indexOf('aead')), ['aead', 'rfc4106(gcm(aes))', `0x${'02'.repeat(16)}${spi(L, R, 2).slice(2)}`, '64']);
});

test('a rotation adds the new key inbound and the new primary outbound, switches the policy, then drops the old SAs', () => {
  const before = wantedXfrm(L, [R], ring(1, 2, 3), 4789);
  const cmds = xfrmCommands(before, wantedXfrm(L, [R], ring(2, 3, 4), 4789));
  assert.deepEqual(summary(cmds), [
    `state add src ${R} dst ${L} proto esp spi ${spi(R, L, 4)} reqid 0x00d0c4e3 mode transport`,
    `state add src ${L} dst ${R} proto esp spi ${spi(L, R, 3)} reqid 0x00d0c4e3 mode transport`,
    `policy update src ${L}/32 dst ${R}/32 proto udp dport 4789 dir out tmpl src ${L} dst ${R} proto esp spi ${spi(L, R, 3)} reqid 0x00d0c4e3 mode transport`,
    `state delete src ${R} dst ${L} proto esp spi ${spi(R, L, 1)}`,
    `state delete src ${L} dst ${R} proto esp spi ${spi(L, R, 2)}`,
  ]);
});

test('a remote no longer wanted loses its SAs first and its policy last; other remotes are untouched', () => {
  const R2 = '198.51.100.3';
  const both = wantedXfrm(L, [R, R2], ring(1, 2, 3), 4789);
  const cmds = xfrmCommands(both, wantedXfrm(L, [R2], ring(1, 2, 3), 4789));
  assert.deepEqual(summary(cmds), [
    `state delete src ${R} dst ${L} proto esp spi ${spi(R, L, 1)}`,
    `state delete src ${R} dst ${L} proto esp spi ${spi(R, L, 2)}`,
    `state delete src ${R} dst ${L} proto esp spi ${spi(R, L, 3)}`,
    `state delete src ${L} dst ${R} proto esp spi ${spi(L, R, 2)}`,
    `policy delete src ${L}/32 dst ${R}/32 proto udp dport 4789 dir out`,
  ]);
  assert.deepEqual(xfrmCommands(both, both), []);
});

test('our SAs and outbound policies are read back from ip xfrm listings; other IPsec users\' entries are not ours', () => {
  const states = parseStates([
    `src ${L} dst ${R}`, '\tproto esp spi 0x425c8d19 reqid 13681891 mode transport', '\treplay-window 0 ', '\taead rfc4106(gcm(aes)) 0x00 64', '\tsel src 0.0.0.0/0 dst 0.0.0.0/0 ',
    `src ${L} dst ${R}`, '\tproto esp spi 0x00000999 reqid 1 mode transport',
  ].join('\n'));
  assert.deepEqual([...states.values()], [{ src: L, dst: R, spi: 0x425c8d19 }]);
  const policies = parsePolicies([
    `src ${L}/32 dst ${R}/32 proto udp dport 4789 `, '\tdir out priority 0 ptype main ', `\ttmpl src ${L} dst ${R}`, '\t\tproto esp spi 0x425c8d19 reqid 13681891 mode transport',
    `src ${L}/32 dst ${R}/32 proto udp dport 500 `, '\tdir out priority 0 ptype main ', `\ttmpl src ${L} dst ${R}`, '\t\tproto esp spi 0x00000001 reqid 7 mode transport',
    `src ${R}/32 dst ${L}/32 proto udp dport 4789 `, '\tdir in priority 0 ptype main ', `\ttmpl src ${R} dst ${L}`, '\t\tproto esp spi 0x00000001 reqid 13681891 mode transport',
  ].join('\n'));
  assert.deepEqual([...policies.values()], [{ local: L, remote: R, port: 4789, spi: 0x425c8d19 }]);
});
