// The Engine API's HTTP edge under hostile clients, on a real unix socket with a short request
// timeout: slow bodies and headers (slowloris) and silent clients are cut with a JSON 408 within the
// timeout; malformed requests and oversized headers get JSON errors; many concurrent connections are
// all answered; none of it stops the server from answering others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngineApi, json, route } from '../../src/api/index.js';
import { send, testSystem } from '../api/helpers.js';

const REQUEST_TIMEOUT_MS = 600;
// Slack for a loaded machine: the cut must come from the timeout, not from the test's own bound.
const SLACK_MS = 4_000;

async function startServer(t: test.TestContext): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-hostile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'api.sock');
  const server = await createEngineApi({
    system: testSystem(),
    routes: [[route({ method: 'POST', path: '/echo', handler: async (ctx) => json(await ctx.json()) })]],
    bodyBytesMax: 4096,
  }).listen({
    kind: 'unix',
    path,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  t.after(() => server.close());
  return path;
}

interface Collected {
  readonly text: string;
  readonly closedAfterMs: number;
}

/** Connects, writes `bytes` (possibly nothing), keeps the connection open, and collects until the server closes it. */
function hold(t: test.TestContext, path: string, bytes: string, boundMs: number): Promise<Collected> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(path, () => {
      if (bytes !== '') socket.write(bytes);
    });
    t.after(() => socket.destroy());
    let text = '';
    const timer = setTimeout(() => reject(new Error(`server kept the connection open for ${boundMs} ms`)), boundMs);
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: Date.now() - started });
    });
  });
}

function jsonError(text: string): { status: number; contentType: string | undefined; message: unknown } {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const contentType = /\r\ncontent-type: ([^\r]*)/i.exec(head)?.[1];
  return { status, contentType, message: (JSON.parse(body) as { message?: unknown }).message };
}

test('a body that never finishes is cut with a JSON 408 once the request timeout passes, and others are served meanwhile', async (t) => {
  const path = await startServer(t);
  const slow = hold(t, path, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":', 10_000);
  const ping = await send({ socketPath: path }, 'GET', '/_ping');
  assert.equal(ping.status, 200);
  const { text, closedAfterMs } = await slow;
  assert.ok(closedAfterMs >= REQUEST_TIMEOUT_MS - 50 && closedAfterMs < REQUEST_TIMEOUT_MS + SLACK_MS, `closed after ${closedAfterMs} ms`);
  assert.deepEqual(jsonError(text), { status: 408, contentType: 'application/json', message: `the request was not received completely within ${REQUEST_TIMEOUT_MS} ms` });
});

test('headers that never finish are cut with a JSON 408 within the request timeout', async (t) => {
  const path = await startServer(t);
  const { text, closedAfterMs } = await hold(t, path, 'GET /_ping HTTP/1.1\r\nHost: x\r\nX-Slow: a', 10_000);
  assert.ok(closedAfterMs < REQUEST_TIMEOUT_MS + SLACK_MS, `closed after ${closedAfterMs} ms`);
  assert.equal(jsonError(text).status, 408);
});

test('a client that connects and never speaks does not keep its connection', async (t) => {
  const path = await startServer(t);
  const { closedAfterMs } = await hold(t, path, '', 10_000);
  assert.ok(closedAfterMs < REQUEST_TIMEOUT_MS + SLACK_MS, `closed after ${closedAfterMs} ms`);
});

test('malformed requests and oversized headers get JSON errors, not bare status lines', async (t) => {
  const path = await startServer(t);
  const garbage = jsonError((await hold(t, path, 'GARBAGE\r\n\r\n', 5_000)).text);
  assert.equal(garbage.status, 400);
  assert.equal(garbage.contentType, 'application/json');
  assert.match(String(garbage.message), /^malformed HTTP request: /);
  const big = jsonError((await hold(t, path, `GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`, 5_000)).text);
  assert.equal(big.status, 431);
  assert.equal(big.contentType, 'application/json');
  assert.match(String(big.message), /^request header fields are larger than the limit of \d+ bytes$/);
});

test('a body over the limit is refused with a JSON 413 while the server keeps serving', async (t) => {
  const path = await startServer(t);
  const reply = await send({ socketPath: path }, 'POST', '/echo', { body: `{"a":"${'x'.repeat(10_000)}"}`, headers: { 'Content-Type': 'application/json' } });
  assert.equal(reply.status, 413);
  assert.equal(reply.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(reply.body), { message: 'request body is larger than the limit of 4096 bytes' });
  assert.equal((await send({ socketPath: path }, 'GET', '/_ping')).status, 200);
});

test('200 concurrent connections are all answered', async (t) => {
  const path = await startServer(t);
  const replies = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0 ? send({ socketPath: path }, 'GET', '/_ping', { timeoutMs: 30_000 }) : send({ socketPath: path }, 'POST', '/echo', { body: '{"i":1}', timeoutMs: 30_000 }),
    ),
  );
  assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
});
