// The fuzz case generator: each case is the exact bytes of one request, labelled with what makes it
// hostile, and the daemon it goes to (the swarm's manager, or a spare daemon outside any swarm, where
// `swarm init/join` bodies get past "already part of a swarm" and reach their validation).
import { encodeRequest, type RawRequest } from './raw-http.js';
import type { Prng } from './prng.js';
import { initTemplate, joinTemplate, clusterSpecTemplate, mutate, networkTemplate, nodeSpecTemplate, type TemplateContext } from './templates.js';
import { badFilters, badNames, deepJson } from './values.js';

export type Target = 'manager' | 'spare';

export const CATEGORIES = ['body', 'json', 'huge', 'deep', 'filters', 'version', 'method', 'path', 'long', 'query', 'framing', 'read'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface FuzzCase {
  readonly n: number;
  readonly category: Category;
  readonly label: string;
  readonly target: Target;
  readonly bytes: Buffer;
  readonly method: string;
}

/** What the generator knows about the live cluster, refreshed by the runner between batches. */
export interface CaseContext {
  readonly manager: TemplateContext;
  readonly spare: TemplateContext;
  readonly nodeIds: readonly string[];
  readonly networkIds: readonly string[];
  readonly swarmVersion: number;
  readonly nodeVersions: Readonly<Record<string, number>>;
  /** The request body limit the daemon enforces. */
  readonly bodyBytesMax: number;
}

const NODE_FILTERS = ['id', 'label', 'name', 'node.label', 'membership', 'role'];
const NETWORK_FILTERS = ['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'];
const PRUNE_FILTERS = ['label', 'label!', 'until'];

type Draft = Omit<FuzzCase, 'n' | 'category' | 'bytes' | 'method'> & { readonly request: RawRequest } | (Omit<FuzzCase, 'n' | 'category'>);

const generators: Record<Category, (rng: Prng, ctx: CaseContext) => Draft> = {
  body: (rng, ctx) => {
    const endpoint = bodyEndpoint(rng, ctx);
    const { text, what } = mutate(endpoint.template, rng);
    return json(endpoint.target, endpoint.path, text, `${endpoint.path} ${what.join(', ')}`);
  },
  json: (rng, ctx) => {
    const endpoint = bodyEndpoint(rng, ctx);
    const valid = JSON.stringify(endpoint.template);
    const broken = rng.pick<[string, string]>([
      [valid.slice(0, rng.int(valid.length)), 'truncated'],
      [valid.replace(/"/, "'"), 'single quote'],
      [valid.replace(/}$/, ',}'), 'trailing comma'],
      [valid + valid, 'two documents'],
      ['', 'empty'],
      ['   \n', 'whitespace'],
      ['null', 'null'],
      ['[]', 'array'],
      ['"text"', 'string'],
      ['123', 'number'],
      [`{"Name": "\\ud800"}`, 'lone surrogate'],
      [Buffer.from([0xff, 0xfe, 0x00, 0x7b]).toString('latin1'), 'binary'],
      ['{"a":1} garbage', 'trailing garbage'],
      ['NaN', 'NaN'],
      ['{"Name": 1e99999}', 'infinite number'],
    ]);
    const contentType = rng.pick(['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', '', 'APPLICATION/JSON', 'application/json;;;']);
    return {
      target: endpoint.target,
      label: `${endpoint.path} ${broken[1]} (Content-Type ${JSON.stringify(contentType)})`,
      request: { method: 'POST', path: endpoint.path, headers: contentType === '' ? ({} as Record<string, string>) : { 'Content-Type': contentType }, body: Buffer.from(broken[0], 'latin1') },
    };
  },
  huge: (rng, ctx) => {
    const endpoint = bodyEndpoint(rng, ctx);
    const size = ctx.bodyBytesMax + 1 + rng.int(ctx.bodyBytesMax);
    const body = Buffer.from(`{"Name":"${'a'.repeat(size)}"}`);
    const how = rng.pick(['length', 'chunked', 'lying length'] as const);
    if (how === 'chunked') {
      const chunked = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
      return { target: endpoint.target, label: `${endpoint.path} ${size} bytes chunked`, request: { method: 'POST', path: endpoint.path, headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, body: chunked } };
    }
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (how === 'lying length') headers['Content-Length'] = '100';
    return { target: endpoint.target, label: `${endpoint.path} ${size} bytes (${how})`, request: { method: 'POST', path: endpoint.path, headers, body } };
  },
  deep: (rng, ctx) => {
    const endpoint = bodyEndpoint(rng, ctx);
    const levels = rng.pick([1_000, 10_000, 100_000]);
    const kind = rng.chance(0.5) ? 'array' : 'object';
    const inner = rng.chance(0.5);
    const text = inner ? JSON.stringify({ ...endpoint.template, Labels: 0 }).replace('"Labels":0', () => `"Labels":${deepJson(levels, kind)}`) : deepJson(levels, kind);
    return json(endpoint.target, endpoint.path, text, `${endpoint.path} ${levels}-level ${kind}${inner ? ' in Labels' : ''}`);
  },
  filters: (rng) => {
    const [path, keys, method] = rng.pick<[string, string[], string]>([
      ['/nodes', NODE_FILTERS, 'GET'],
      ['/networks', NETWORK_FILTERS, 'GET'],
      ['/networks/prune', PRUNE_FILTERS, 'POST'],
    ]);
    const value = badFilters(rng, keys);
    return { target: 'manager', label: `${method} ${path} filters=${value.slice(0, 80)}`, request: { method, path: `${versionPrefix(rng)}${path}?filters=${encodeURIComponent(value)}` } };
  },
  version: (rng) => {
    const v = rng.pick(['/v0.1', '/v1.0', '/v1.23', '/v1.24', '/v1.41', '/v1.42', '/v99.99', '/vabc', '/v', '/v1', '/v1.41.5', '/v-1.41', '/v1..41', '/V1.41', '/v1.41a', '/v00001.00041', `/v1.${'9'.repeat(400)}`]);
    const path = rng.pick(['/_ping', '/info', '/version', '/nodes', '/networks', '/swarm']);
    return { target: 'manager', label: `GET ${v}${path}`, request: { method: 'GET', path: `${v}${path}` } };
  },
  method: (rng) => {
    const method = rng.pick(['PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'FOO', 'get', 'DELETE', 'PUT', 'HEAD', 'POST']);
    const path = rng.pick(['/_ping', '/info', '/swarm', '/swarm/init', '/nodes', '/networks', '/networks/create', '/nodes/x/update']);
    return { target: 'manager', label: `${method} ${path}`, request: { method, path } };
  },
  path: (rng, ctx) => {
    const ref = rng.pick([...ctx.networkIds, ...ctx.nodeIds, 'x']);
    const path = rng.pick([
      '/../../../etc/passwd',
      '/v1.41/../../etc/shadow',
      `/networks/..%2f..%2f${ref}`,
      `/networks/%2e%2e%2f%2e%2e`,
      '/networks/%00',
      '/networks/%ff%fe',
      '/networks/%',
      '/nodes/%E0%A4%A',
      '//networks',
      '/networks/',
      '/networks/./x',
      `/networks/${ref}/../${ref}`,
      `/nodes/${encodeURIComponent(rng.pick(badNames))}`,
      `/networks/${encodeURIComponent(rng.pick(badNames))}`,
      '/containers/../../json',
      '/images/a/../../b/json',
      '*',
      'http://evil.example/_ping',
      '/_ping#frag',
      '/_ping?',
    ]);
    const method = rng.pick(['GET', 'DELETE', 'GET']);
    return { target: 'manager', label: `${method} ${path.slice(0, 80)}`, request: { method, path } };
  },
  long: (rng) => {
    const kind = rng.pick(['path', 'query', 'header', 'headers'] as const);
    const n = rng.pick([8_000, 20_000, 100_000, 1_000_000]);
    if (kind === 'path') return { target: 'manager', label: `GET /networks/<${n}-char ref>`, request: { method: 'GET', path: `/networks/${'a'.repeat(n)}` } };
    if (kind === 'query') return { target: 'manager', label: `GET /nodes?<${n}-char query>`, request: { method: 'GET', path: `/nodes?x=${'b'.repeat(n)}` } };
    if (kind === 'header') return { target: 'manager', label: `GET /_ping with a ${n}-char header`, request: { method: 'GET', path: '/_ping', headers: { 'X-Long': 'c'.repeat(n) } } };
    const headers = Object.fromEntries(Array.from({ length: Math.min(n / 100, 5_000) }, (_, i) => [`X-H${i}`, 'v']));
    return { target: 'manager', label: `GET /_ping with ${Object.keys(headers).length} headers`, request: { method: 'GET', path: '/_ping', headers } };
  },
  query: (rng, ctx) => {
    const id = rng.pick([...ctx.nodeIds, 'nosuch']);
    const version = rng.pick(['', '-1', 'abc', '1.5', '1e20', '99999999999999999999', '0x10', String(ctx.swarmVersion), String(ctx.nodeVersions[id] ?? 1), '%00', ' 1']);
    const [method, path, body] = rng.pick<[string, string, string | undefined]>([
      ['POST', `/swarm/update?version=${version}&rotateWorkerToken=${rng.pick(['', 'x', '1', 'false'])}`, JSON.stringify(clusterSpecTemplate())],
      ['POST', `/nodes/${id}/update?version=${version}`, JSON.stringify({ Labels: {}, Role: 'manager', Availability: 'active' })],
      ['GET', `/networks/${rng.pick(ctx.networkIds.length > 0 ? ctx.networkIds : ['x'])}?verbose=${rng.pick(['1', 'yes', ''])}&scope=${rng.pick(['swarm', 'local', 'global', 'bogus', ''])}`, undefined],
      ['DELETE', `/nodes/${id}?force=${rng.pick(['1', 'true', 'nope', ''])}`, undefined],
    ]);
    return body === undefined
      ? { target: 'manager', label: `${method} ${path}`, request: { method, path } }
      : json('manager', path, body, `${method} ${path}`);
  },
  framing: (rng) => {
    const raw = rng.pick<[string, string]>([
      ['GARBAGE\r\n\r\n', 'garbage request line'],
      ['GET /_ping HTTP/9.9\r\nHost: x\r\n\r\n', 'HTTP/9.9'],
      ['GET /_ping\r\n\r\n', 'HTTP/0.9 style'],
      ['GET /_ping HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n', 'negative Content-Length'],
      ['GET /_ping HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', 'two Content-Lengths'],
      ['POST /networks/create HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n', 'chunked and Content-Length'],
      ['POST /networks/create HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'bad chunk size'],
      ['GET /_ping HTTP/1.1\r\nBad Header Name: x\r\n\r\n', 'space in a header name'],
      ['GET /_ping HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n', 'obsolete line folding'],
      ['GET /_ping HTTP/1.1\nHost: x\n\n', 'bare LF'],
      ['\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03', 'TLS ClientHello'],
      ['\x00'.repeat(64), 'NUL bytes'],
      ['GET /_ping HTTP/1.1\r\nHost: x\r\n\r\nGET /info HTTP/1.1\r\nHost: x\r\n\r\n', 'pipelined'],
      ['GET /_p\x00ing HTTP/1.1\r\nHost: x\r\n\r\n', 'NUL in the path'],
    ]);
    return { target: 'manager', label: raw[1], bytes: Buffer.from(raw[0], 'latin1'), method: 'GET' };
  },
  read: (rng, ctx) => {
    const path = rng.pick([
      '/_ping', '/info', '/version', '/swarm', '/swarm/unlockkey', '/nodes', '/networks',
      `/nodes/${rng.pick([...ctx.nodeIds, 'x'])}`,
      `/nodes/${(rng.pick([...ctx.nodeIds, 'abc']) as string).slice(0, 1 + rng.int(4))}`,
      `/networks/${rng.pick([...ctx.networkIds, 'ingress', 'bridge', 'docker_gwbridge', 'host', 'none'])}`,
      `/networks/${(rng.pick([...ctx.networkIds, 'abc']) as string).slice(0, 1 + rng.int(3))}`,
    ]);
    const method = rng.chance(0.1) ? 'HEAD' : rng.chance(0.1) ? 'DELETE' : 'GET';
    const target = rng.chance(0.8) ? 'manager' : 'spare';
    return { target, label: `${method} ${path} on ${target}`, request: { method, path: `${versionPrefix(rng)}${path}` } };
  },
};

const weights: Record<Category, number> = { body: 40, json: 8, huge: 2, deep: 3, filters: 8, version: 4, method: 4, path: 6, long: 3, query: 8, framing: 4, read: 10 };

export function generateCase(rng: Prng, ctx: CaseContext, n: number): FuzzCase {
  const category = weightedCategory(rng);
  const draft = generators[category](rng, ctx);
  if ('bytes' in draft) return { n, category, ...draft };
  const { request, ...rest } = draft;
  return { n, category, ...rest, method: request.method, bytes: encodeRequest(request) };
}

function weightedCategory(rng: Prng): Category {
  const total = CATEGORIES.reduce((sum, c) => sum + weights[c], 0);
  let roll = rng.int(total);
  for (const c of CATEGORIES) {
    roll -= weights[c];
    if (roll < 0) return c;
  }
  return 'body';
}

function versionPrefix(rng: Prng): string {
  return rng.pick(['', '', '/v1.41', '/v1.24', '/v1.30']);
}

function json(target: Target, path: string, text: string, label: string): Draft {
  return { target, label, request: { method: 'POST', path, headers: { 'Content-Type': 'application/json' }, body: text } };
}

interface BodyEndpoint {
  readonly target: Target;
  readonly path: string;
  readonly template: Parameters<typeof mutate>[0];
}

function bodyEndpoint(rng: Prng, ctx: CaseContext): BodyEndpoint {
  const nodeId = rng.pick(ctx.nodeIds.length > 0 ? ctx.nodeIds : ['nosuch']);
  return rng.pick<() => BodyEndpoint>([
    () => ({ target: 'spare', path: '/swarm/init', template: initTemplate(ctx.spare) }),
    () => ({ target: 'spare', path: '/swarm/join', template: joinTemplate(ctx.spare) }),
    () => ({ target: 'manager', path: '/swarm/init', template: initTemplate(ctx.manager) }),
    () => ({ target: 'manager', path: `/swarm/update?version=${ctx.swarmVersion}`, template: clusterSpecTemplate() }),
    () => ({ target: 'manager', path: `/nodes/${nodeId}/update?version=${ctx.nodeVersions[nodeId] ?? 1}`, template: nodeSpecTemplate(rng) }),
    () => ({ target: 'manager', path: '/networks/create', template: networkTemplate(rng) }),
    () => ({ target: 'manager', path: '/networks/create', template: networkTemplate(rng) }),
    () => ({ target: 'spare', path: '/networks/create', template: networkTemplate(rng) }),
  ])();
}
