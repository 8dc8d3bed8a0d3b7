// Pools of hostile values: wrong types for any JSON field, and field-specific bad values (names,
// CIDRs, addresses, ports, durations) that look plausible enough to reach deep validation.
import type { Prng } from './prng.js';

/** Builds `levels` nested arrays or objects as text without recursion (JSON.stringify would overflow). */
export function deepJson(levels: number, kind: 'array' | 'object', leaf = '1'): string {
  return kind === 'array' ? '['.repeat(levels) + leaf + ']'.repeat(levels) : '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);
}

/** A JSON text of any type but the expected one; `deep` values are raw text (too deep to build as data). */
export function wrongValue(rng: Prng): { json: string } {
  const pool: (() => string)[] = [
    () => 'null',
    () => 'true',
    () => 'false',
    () => '0',
    () => '-1',
    () => '1.5',
    () => '1e308',
    () => '-1e308',
    () => '9007199254740993',
    () => '""',
    () => JSON.stringify(rng.string(rng.int(20))),
    () => JSON.stringify('x'.repeat(70_000)),
    () => JSON.stringify('\u0000\u202e\ud800'),
    () => '[]',
    () => '[1,"a",null,{}]',
    () => '{}',
    () => '{"__proto__":{"polluted":true}}',
    () => '{"constructor":{"prototype":{"polluted":true}}}',
    () => JSON.stringify({ x: 1, y: [true], z: { w: null } }),
    () => deepJson(64, rng.chance(0.5) ? 'array' : 'object'),
    () => deepJson(5_000, rng.chance(0.5) ? 'array' : 'object'),
  ];
  return { json: rng.pick(pool)() };
}

export const badNames: readonly string[] = [
  '',
  ' ',
  '-leading-dash',
  'trailing-dash-',
  'has space',
  'has/slash',
  '../../etc/passwd',
  'a'.repeat(64),
  'a'.repeat(10_000),
  'ünïcödé',
  'name\u0000nul',
  'name\nnewline',
  '%2e%2e',
  'bridge',
  'host',
  'none',
  'default',
  'docker_gwbridge',
  '.',
  '..',
];

export const badCidrs: readonly string[] = [
  '',
  'abc',
  '10.0.0.0',
  '10.0.0.0/',
  '10.0.0.0/33',
  '10.0.0.0/-1',
  '10.0.0.0/08',
  '10.0.0.0/1e1',
  '300.1.1.1/24',
  '10.0.0.1/24',
  '0.0.0.0/0',
  '255.255.255.255/32',
  '10.0.0.0/31',
  '10.0.0.0/30',
  '::1/128',
  'fd00::/64',
  '10.0.0.0/24/24',
  ' 10.0.0.0/24',
  '10.0.0.0/24 ',
  '1.2.3/24',
  '01.02.03.00/24',
  '10.0.0.0\u0000/24',
  '127.0.0.0/8',
  '224.0.0.0/4',
];

export const badAddresses: readonly string[] = [
  '',
  'abc',
  '1.2.3.4.5',
  '999.1.1.1',
  '10.0.0.300',
  '::1',
  'fe80::1%eth0',
  '10.0.0.1/24',
  ' 10.0.0.1',
  '10.0.0.1:80',
  '-1',
  'localhost',
];

export const badListenAddrs: readonly string[] = [
  ':0',
  ':-1',
  ':65536',
  ':99999999999999999999',
  '0.0.0.0:abc',
  '0.0.0.0:',
  'nosuchif0:2377',
  'nosuchif0',
  '[::1',
  '[::1]:2377',
  '1.2.3.4:2377:2377',
  'a'.repeat(5_000),
  'unix:///tmp/x.sock',
  'http://1.2.3.4:2377',
];

export const badPorts: readonly unknown[] = [-1, 0.5, 1, 80, 1023, 49152, 65535, 65536, 2 ** 31, 2 ** 53, '4789', null, true, [4789], { p: 1 }];

/** A filters query value: not JSON, a wrong shape, an unknown key or a huge one. */
export function badFilters(rng: Prng, knownKeys: readonly string[]): string {
  const key = rng.pick([...knownKeys, 'nosuchkey', '', '__proto__', 'constructor', 'a'.repeat(1_000)]);
  const pool: (() => string)[] = [
    () => 'not json',
    () => '{',
    () => '[]',
    () => '"string"',
    () => '42',
    () => 'null',
    () => JSON.stringify({ [key]: 'scalar' }),
    () => JSON.stringify({ [key]: 42 }),
    () => JSON.stringify({ [key]: [1, 2] }),
    () => JSON.stringify({ [key]: { value: 'yes' } }),
    () => JSON.stringify({ [key]: { value: true } }),
    () => JSON.stringify({ [key]: [rng.string(8)] }),
    () => JSON.stringify({ [key]: ['x'.repeat(20_000)] }),
    () => JSON.stringify({ [key]: null }),
    () => JSON.stringify(Object.fromEntries(knownKeys.map((k) => [k, { [rng.string(4)]: rng.chance(0.5) }]))),
    () => `{"${key}":${deepJson(2_000, 'object', 'true')}}`,
  ];
  return rng.pick(pool)();
}
