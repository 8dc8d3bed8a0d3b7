import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, DnsFormatError, encodeQuery, encodeResponse, RCODE, RR_TYPE, udpLimitBytes } from '../../../src/network/dns/codec.js';
import { decide } from '../../../src/network/dns/answer.js';
import { ServiceDirectory } from '../../../src/network/dns/directory.js';
import { upstreamsFromResolvConf } from '../../../src/network/dns/resolv-conf.js';
import { parseUpstream } from '../../../src/network/dns/forwarder.js';
import { NetworkSpecError } from '../../../src/network/lb/addresses.js';

test('codec round-trips a query and a response with A, AAAA and PTR records', () => {
  const q = decodeMessage(encodeQuery(7, 'web.', RR_TYPE.A));
  assert.deepEqual([q.id, q.response, q.recursionDesired, q.questions], [7, false, true, [{ name: 'web', type: 1, class: 1 }]]);
  const r = decodeMessage(
    encodeResponse({
      id: 7,
      recursionDesired: true,
      rcode: RCODE.NOERROR,
      question: q.questions[0]!,
      answers: [
        { type: 'A', name: 'web', ttl: 600, address: '10.0.0.2' },
        { type: 'AAAA', name: 'web', ttl: 600, address: 'fd00::1:2' },
        { type: 'PTR', name: '2.0.0.10.in-addr.arpa', ttl: 600, target: 'web.front' },
      ],
    }),
  );
  assert.equal(r.response, true);
  assert.deepEqual(r.answers.map((a) => [a.type, a.ttl, a.data]), [[1, 600, '10.0.0.2'], [28, 600, 'fd00:0:0:0:0:0:1:2'], [12, 600, 'web.front']]);
});

test('codec follows compression pointers and refuses loops and truncation with DnsFormatError', () => {
  // header, question "a.b" A IN, answer named by a pointer to offset 12
  const msg = Buffer.from([0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 97, 1, 98, 0, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 1, 2, 3, 4]);
  assert.deepEqual(decodeMessage(msg).answers.map((a) => [a.name, a.data]), [['a.b', '1.2.3.4']]);
  const loop = Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
  assert.throws(() => decodeMessage(loop), (e: unknown) => e instanceof DnsFormatError && e.code === 'dns-format' && /loop/.test(e.message));
  assert.throws(() => decodeMessage(msg.subarray(0, 30)), DnsFormatError);
  assert.throws(() => decodeMessage(Buffer.alloc(5)), /shorter than a header/);
});

test('UDP answers are limited to 512 bytes unless the query advertises a larger EDNS size', () => {
  const plain = decodeMessage(encodeQuery(1, 'x', RR_TYPE.A));
  assert.equal(udpLimitBytes(plain), 512);
  const opt = Buffer.from([0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0]); // root name, OPT, payload 4096
  const withOpt = Buffer.concat([encodeQuery(1, 'x', RR_TYPE.A), opt]);
  withOpt.writeUInt16BE(1, 10);
  assert.equal(udpLimitBytes(decodeMessage(withOpt)), 4096);
});

test('decide answers from the first of the asker\'s networks that knows the name, else forwards or NXDOMAIN', () => {
  const dir = new ServiceDirectory();
  dir.setNetwork('n1', { name: 'one', services: [{ name: 'api', endpointMode: 'vip', vip: '10.1.0.2', taskIps: ['10.1.0.3'] }], endpoints: [] });
  dir.setNetwork('n2', { name: 'two', services: [{ name: 'api', endpointMode: 'vip', vip: '10.2.0.2', taskIps: [] }], endpoints: [] });
  const opts = { ttlSeconds: 600, canForward: true, shuffle: <T>(x: T[]) => x };
  const a = { name: 'api', type: RR_TYPE.A, class: 1 };
  const first = decide(dir, { networks: ['n2', 'n1'], external: true }, a, opts);
  assert.deepEqual(first, { kind: 'answer', rcode: 0, answers: [{ type: 'A', name: 'api', ttl: 600, address: '10.2.0.2' }] });
  assert.deepEqual(decide(dir, { networks: ['n1'], external: true }, { ...a, name: 'tasks.api' }, opts).kind, 'answer');
  assert.deepEqual(decide(dir, { networks: [], external: true }, a, opts), { kind: 'forward' });
  assert.deepEqual(decide(dir, { networks: [], external: true }, a, { ...opts, canForward: false }), { kind: 'answer', rcode: 3, answers: [] });
  dir.setNetwork('n1', { name: 'one', services: [], endpoints: [] });
  assert.deepEqual(decide(dir, { networks: ['n1'], external: true }, a, { ...opts, canForward: false }), { kind: 'answer', rcode: 3, answers: [] }, 'a replaced snapshot leaves no stale name');
});

test('decide answers a sandbox without external access from its networks, and SERVFAIL for anything else (never forwards)', () => {
  const dir = new ServiceDirectory();
  dir.setNetwork('int', { name: 'backend', services: [{ name: 'db', endpointMode: 'vip', vip: '10.9.0.2', taskIps: ['10.9.0.3'] }], endpoints: [{ names: ['db.1.x'], ipv4: '10.9.0.3' }] });
  const opts = { ttlSeconds: 600, canForward: true, shuffle: <T>(x: T[]) => x };
  const internal = { networks: ['int'], external: false };
  assert.deepEqual(decide(dir, internal, { name: 'db', type: RR_TYPE.A, class: 1 }, opts), { kind: 'answer', rcode: 0, answers: [{ type: 'A', name: 'db', ttl: 600, address: '10.9.0.2' }] });
  assert.deepEqual(decide(dir, internal, { name: '3.0.9.10.in-addr.arpa', type: RR_TYPE.PTR, class: 1 }, opts).kind, 'answer');
  for (const question of [{ name: 'www.example.test', type: RR_TYPE.A, class: 1 }, { name: 'www.example.test', type: 15, class: 1 }, { name: '8.8.8.8.in-addr.arpa', type: RR_TYPE.PTR, class: 1 }]) {
    assert.deepEqual(decide(dir, internal, question, opts), { kind: 'answer', rcode: RCODE.SERVFAIL, answers: [] }, `${question.name} type ${question.type}`);
  }
});

test('the directory refuses a VIP-mode service without a VIP and addresses that are not IPs', () => {
  const dir = new ServiceDirectory();
  assert.throws(() => dir.setNetwork('n', { name: 'n', services: [{ name: 's', endpointMode: 'vip', taskIps: [] }], endpoints: [] }), (e: unknown) => e instanceof NetworkSpecError && /has no VIP/.test(e.message));
  assert.throws(() => dir.setNetwork('n', { name: 'n', services: [], endpoints: [{ names: ['c'], ipv4: 'nope' }] }), /not an IP address/);
});

test('host resolv.conf gives up to three IPv4 upstreams, never the embedded address', () => {
  const text = 'nameserver 127.0.0.11\nnameserver 10.0.0.1\n# nameserver 9.9.9.9\nnameserver ::1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n';
  assert.deepEqual(upstreamsFromResolvConf(text).map((u) => u.host), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  assert.deepEqual(parseUpstream('10.0.0.1:5353'), { host: '10.0.0.1', port: 5353 });
  assert.throws(() => parseUpstream('example.com'), NetworkSpecError);
});
