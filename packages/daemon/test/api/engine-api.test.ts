// The API edge over real HTTP (TCP on 127.0.0.1): headers, versions, errors, bodies and streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect, type NetConnectOpts } from 'node:net';
import {
  ConflictError,
  createEngineApi,
  empty,
  json,
  route,
  stream,
  type ApiServer,
  type EngineApiOptions,
  type SwarmInfoProvider,
} from '../../src/api/index.js';
import { createLogger } from '../../src/log.js';
import { send, targetOf, testSystem, type Target } from './helpers.js';

async function serve(t: test.TestContext, options: Partial<EngineApiOptions> = {}): Promise<Target> {
  const api = createEngineApi({ system: testSystem(), ...options });
  const server: ApiServer = await api.listen({ kind: 'tcp', port: 0 });
  t.after(() => server.close());
  return targetOf(server.address);
}

function assertDockerHeaders(headers: Record<string, unknown>): void {
  assert.equal(headers['api-version'], '1.41');
  assert.equal(headers['docker-experimental'], 'false');
  assert.equal(headers['ostype'], 'linux');
  assert.equal(headers['server'], 'shoal/9.9.9 (linux)');
}

test('HEAD and GET /_ping answer like dockerd', async (t) => {
  const target = await serve(t);
  const head = await send(target, 'HEAD', '/_ping');
  assert.equal(head.status, 200);
  assertDockerHeaders(head.headers);
  assert.equal(head.headers['cache-control'], 'no-cache, no-store, must-revalidate');
  assert.equal(head.headers['pragma'], 'no-cache');
  assert.equal(head.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(head.headers['content-length'], '0');
  assert.equal(head.body, '');
  const get = await send(target, 'GET', '/_ping');
  assert.equal(get.status, 200);
  assert.equal(get.body, 'OK');
  assert.equal(get.headers['content-length'], '2');
});

test('GET /version has the Engine component and top-level fields the CLI reads', async (t) => {
  const target = await serve(t);
  const reply = await send(target, 'GET', '/v1.41/version');
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-type'], 'application/json');
  assert.ok(reply.body.endsWith('}\n'), 'one trailing newline like dockerd');
  const v = JSON.parse(reply.body);
  assert.equal(v.Components[0].Name, 'Engine');
  assert.equal(v.Components[0].Version, '9.9.9');
  assert.deepEqual(Object.keys(v.Components[0].Details).sort(), [
    'ApiVersion', 'Arch', 'BuildTime', 'Experimental', 'GitCommit', 'GoVersion', 'KernelVersion', 'MinAPIVersion', 'Os',
  ]);
  assert.equal(v.Components[0].Details.MinAPIVersion, '1.24');
  assert.match(v.GoVersion, /^node v20\./);
  assert.equal(v.ApiVersion, '1.41');
  assert.equal(v.Arch, 'amd64');
});

test('GET /info reports the inactive Swarm block and counts from the provider', async (t) => {
  const target = await serve(t);
  const info = JSON.parse((await send(target, 'GET', '/v1.41/info')).body);
  assert.deepEqual(info.Swarm, {
    NodeID: '',
    NodeAddr: '',
    LocalNodeState: 'inactive',
    ControlAvailable: false,
    Error: '',
    RemoteManagers: null,
  });
  assert.equal(info.Name, 'node-1');
  assert.equal(info.DockerRootDir, '/var/lib/shoal-test');
  assert.equal(info.Containers, 0);
});

test('GET /info asks the swarm provider on every request', async (t) => {
  let calls = 0;
  const swarm: SwarmInfoProvider = {
    swarmInfo: async () => ({
      NodeID: 'n1', NodeAddr: '198.51.100.1', LocalNodeState: 'active', ControlAvailable: true, Error: '',
      RemoteManagers: [{ NodeID: 'n1', Addr: '198.51.100.1:2377' }], Nodes: 1, Managers: 1, Cluster: { ID: 'c1' },
    }),
    engineCounts: () => ({ containers: 3, running: 2, paused: 0, stopped: 1, images: ++calls }),
  };
  const target = await serve(t, { system: testSystem(swarm) });
  await send(target, 'GET', '/info');
  const info = JSON.parse((await send(target, 'GET', '/info')).body);
  assert.equal(info.Swarm.LocalNodeState, 'active');
  assert.deepEqual(info.Swarm.Cluster, { ID: 'c1' });
  assert.equal(info.ContainersRunning, 2);
  assert.equal(info.Images, 2);
});

test('a version above 1.41 or below 1.24 is a 400 with dockerd\'s message', async (t) => {
  const target = await serve(t);
  const tooNew = await send(target, 'GET', '/v1.50/version');
  assert.equal(tooNew.status, 400);
  assert.equal(tooNew.headers['content-type'], 'application/json');
  assert.equal(tooNew.body, '{"message":"client version 1.50 is too new. Maximum supported API version is 1.41"}\n');
  const tooOld = await send(target, 'GET', '/v1.12/info');
  assert.equal(tooOld.status, 400);
  assert.match(JSON.parse(tooOld.body).message, /^client version 1\.12 is too old\. Minimum supported API version is 1\.24/);
  assert.equal((await send(target, 'GET', '/v1.24/version')).status, 200);
});

test('unknown routes and wrong methods get 404 page not found as exact application/json', async (t) => {
  const target = await serve(t);
  for (const [method, path] of [['GET', '/v1.41/nosuchendpoint'], ['DELETE', '/v1.41/info'], ['PATCH', '/info'], ['GET', '/v1.50/nosuch']]) {
    const reply = await send(target, method as string, path as string);
    assert.equal(reply.status, 404, `${method} ${path}`);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.equal(reply.body, '{"message":"page not found"}\n');
    assertDockerHeaders(reply.headers);
  }
});

test('the inspect fallback chain gets 404 JSON until a module serves the type', async (t) => {
  const target = await serve(t, {
    routes: [[route({ method: 'GET', path: '/networks/{id}', handler: (ctx) => json({ Name: ctx.params['id'] }) })]],
  });
  const image = await send(target, 'GET', '/v1.41/images/library/foo:1/json');
  assert.equal(image.status, 404);
  assert.equal(JSON.parse(image.body).message, 'No such image: library/foo:1');
  assert.equal((await send(target, 'GET', '/v1.41/volumes/foo')).status, 404);
  assert.equal((await send(target, 'GET', '/v1.41/containers/foo/json')).status, 404);
  const net = await send(target, 'GET', '/v1.41/networks/foo');
  assert.equal(net.status, 200, 'a registered route replaces the fallback');
});

test('routes get path params, query values and validated filters', async (t) => {
  const target = await serve(t, {
    routes: [[
      route({
        method: 'GET',
        path: '/nodes/{id}/things',
        filters: ['role', 'name'],
        handler: (ctx) =>
          json({ id: ctx.params['id'], role: ctx.filters.values('role'), force: ctx.query.bool('force'), v: ctx.apiVersion }),
      }),
    ]],
  });
  const filters = encodeURIComponent('{"role":{"manager":true}}');
  const ok = await send(target, 'GET', `/v1.30/nodes/abc/things?filters=${filters}&force=1`);
  assert.deepEqual(JSON.parse(ok.body), { id: 'abc', role: ['manager'], force: true, v: '1.30' });
  const bad = await send(target, 'GET', `/v1.41/nodes/abc/things?filters=${encodeURIComponent('{"bogus":{"x":true}}')}`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body, '{"message":"invalid filter \'bogus\'"}\n');
});

test('success statuses: 201 with JSON, 204 without body, 200 empty without Content-Type', async (t) => {
  const target = await serve(t, {
    routes: [[
      route({ method: 'POST', path: '/things/create', handler: () => json({ ID: 'x' }, 201) }),
      route({ method: 'DELETE', path: '/things/{id}', handler: () => empty(204) }),
      route({ method: 'POST', path: '/things/{id}/update', handler: () => empty(200) }),
    ]],
  });
  const created = await send(target, 'POST', '/v1.41/things/create');
  assert.equal(created.status, 201);
  assert.equal(created.body, '{"ID":"x"}\n');
  const deleted = await send(target, 'DELETE', '/v1.41/things/x');
  assert.equal(deleted.status, 204);
  assert.equal(deleted.headers['content-type'], undefined);
  const updated = await send(target, 'POST', '/v1.41/things/x/update');
  assert.equal(updated.status, 200);
  assert.equal(updated.headers['content-length'], '0');
  assert.equal(updated.headers['content-type'], undefined);
});

test('JSON bodies: parsed, and refused when malformed, empty, not JSON, or too large', async (t) => {
  const target = await serve(t, {
    bodyBytesMax: 64,
    routes: [[route({ method: 'POST', path: '/echo', handler: async (ctx) => json(await ctx.json()) })]],
  });
  const jsonHeaders = { 'Content-Type': 'application/json' };
  const ok = await send(target, 'POST', '/echo', { body: '{"a":1}', headers: jsonHeaders });
  assert.equal(ok.body, '{"a":1}\n');
  const malformed = await send(target, 'POST', '/echo', { body: '{"a":', headers: jsonHeaders });
  assert.equal(malformed.status, 400);
  assert.match(JSON.parse(malformed.body).message, /^invalid JSON: /);
  const missing = await send(target, 'POST', '/echo', { headers: jsonHeaders });
  assert.equal(missing.status, 400);
  assert.equal(JSON.parse(missing.body).message, 'invalid JSON: got EOF while reading request body');
  const textType = await send(target, 'POST', '/echo', { body: '{}', headers: { 'Content-Type': 'text/plain' } });
  assert.equal(textType.status, 400);
  assert.equal(JSON.parse(textType.body).message, "unsupported Content-Type header (text/plain): must be 'application/json'");
  const big = await send(target, 'POST', '/echo', { body: JSON.stringify({ a: 'x'.repeat(100) }), headers: jsonHeaders });
  assert.equal(big.status, 413);
  assert.equal(big.headers['content-type'], 'application/json');
  assert.equal(JSON.parse(big.body).message, 'request body is larger than the limit of 64 bytes');
});

test('a handler that throws a plain error gives 500 with its message and a log line', async (t) => {
  const lines: string[] = [];
  const target = await serve(t, {
    log: createLogger({ level: 'error', write: (l) => lines.push(l) }),
    routes: [[
      route({ method: 'GET', path: '/boom', handler: () => { throw new TypeError('kaboom'); } }),
      route({ method: 'GET', path: '/taken', handler: () => { throw new ConflictError('name taken'); } }),
    ]],
  });
  const boom = await send(target, 'GET', '/boom');
  assert.equal(boom.status, 500);
  assert.equal(boom.body, '{"message":"kaboom"}\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0] as string, /level=error msg="request failed" method=GET url=\/boom err=".*kaboom/);
  const taken = await send(target, 'GET', '/taken');
  assert.equal(taken.status, 409);
  assert.equal(lines.length, 1, 'API errors are answers, not incidents');
  assert.equal((await send(target, 'GET', '/_ping')).status, 200, 'the server keeps serving');
});

test('a stream flushes its headers before the body exists, and close() ends it', async (t) => {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const api = createEngineApi({
    system: testSystem(),
    routes: [[
      route({
        method: 'POST',
        path: '/containers/{id}/wait',
        handler: () =>
          stream(async (sink, signal) => {
            await Promise.race([released, new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
            if (!signal.aborted) await sink.writeJson({ StatusCode: 0, Error: null });
          }),
      }),
    ]],
  });
  const server = await api.listen({ kind: 'tcp', port: 0 });
  t.after(() => server.close());
  const target = targetOf(server.address);

  const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = httpRequest({ ...target, host: '127.0.0.1', method: 'POST', path: '/v1.41/containers/c1/wait', agent: false }, resolve);
    req.setTimeout(2_000, () => req.destroy(new Error('headers were not flushed')));
    req.on('error', reject);
    req.end();
  });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/json');
  const body = new Promise<string>((resolve) => {
    let data = '';
    res.on('data', (c: Buffer) => (data += c.toString()));
    res.on('end', () => resolve(data));
    res.on('error', () => resolve(data));
  });
  release();
  assert.equal(await body, '{"StatusCode":0,"Error":null}\n');
});

test('close() is idempotent and aborts requests still streaming', async () => {
  let aborted = false;
  const api = createEngineApi({
    system: testSystem(),
    routes: [[
      route({
        method: 'GET',
        path: '/follow',
        handler: () =>
          stream((_sink, signal) =>
            new Promise<void>((resolve) => signal.addEventListener('abort', () => { aborted = true; resolve(); }, { once: true })),
          ),
      }),
    ]],
  });
  const server = await api.listen({ kind: 'tcp', port: 0, closeGraceMs: 2_000 });
  const target = targetOf(server.address);
  const reply = send(target, 'GET', '/follow');
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  await Promise.all([server.close(), server.close()]);
  assert.ok(Date.now() - started < 1_500, 'the stream ended on abort, not at the grace deadline');
  assert.equal(aborted, true);
  assert.equal((await reply).status, 200);
  await server.close();
  await assert.rejects(send(target, 'GET', '/_ping'), /ECONNREFUSED/);
});

test('a client that never finishes its request body is cut off at the request timeout', async (t) => {
  let handlerSettled = false;
  const api = createEngineApi({
    system: testSystem(),
    routes: [[route({ method: 'POST', path: '/echo', handler: async (ctx) => json(await ctx.json().finally(() => (handlerSettled = true))) })]],
  });
  const server = await api.listen({ kind: 'tcp', port: 0, requestTimeoutMs: 300 });
  t.after(() => server.close());
  const { port } = targetOf(server.address) as { port: number };
  const sock = connect(port, '127.0.0.1');
  t.after(() => sock.destroy());
  sock.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
  const started = Date.now();
  const answer = await new Promise<string>((resolve) => {
    let data = '';
    sock.on('data', (c: Buffer) => (data += c.toString()));
    sock.on('close', () => resolve(data));
    setTimeout(() => resolve(`no close within 5 s; got: ${data}`), 5_000).unref();
  });
  assert.match(answer, /^HTTP\/1\.1 408 /);
  assert.ok(Date.now() - started < 3_000);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(handlerSettled, true, 'the handler reading the body was released');
});

test('an error answered before the body is read reaches a client still sending the body: the rest is read first', async (t) => {
  const target = await serve(t, { routes: [[route({ method: 'POST', path: '/refuse', handler: () => { throw new ConflictError('refused early'); } })]] });
  const bodyBytes = 4 * 1024 * 1024;
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect(target as NetConnectOpts);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(`POST /v1.41/refuse HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${bodyBytes}\r\nConnection: close\r\n\r\n`);
    // The daemon has answered by now; a body written after that must still be taken, not cut off.
    setTimeout(() => socket.end(Buffer.alloc(bodyBytes)), 200);
  });
  assert.match(reply, /^HTTP\/1\.1 409 /);
  assert.match(reply, /\{"message":"refused early"\}\n$/);
});
