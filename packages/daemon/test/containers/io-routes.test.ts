import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { createEngineApi } from '../../src/api/index.js';
import { containerRoutes, parseStdcopy } from '../../src/containers/index.js';
import { send, targetOf, testSystem } from '../api/helpers.js';
import { FakeRuntime } from './fake-runtime.js';

const WAIT_MS = 5_000;

async function serve(t: TestContext, runtime: FakeRuntime): Promise<number> {
  const server = await createEngineApi({ system: testSystem(), routes: [containerRoutes(runtime)] }).listen({ kind: 'tcp', port: 0 });
  t.after(() => server.close());
  const target = targetOf(server.address);
  assert.ok('port' in target);
  return target.port;
}

/** A hijacking client as the docker CLI is: the request with Upgrade headers, then raw bytes both ways. */
class RawClient {
  readonly socket: Socket;
  #data = Buffer.alloc(0);
  #ended = false;
  #wake: (() => void) | undefined;
  constructor(port: number) {
    this.socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    this.socket.on('data', (chunk: Buffer) => {
      this.#data = Buffer.concat([this.#data, chunk]);
      this.#wake?.();
    });
    this.socket.on('end', () => {
      this.#ended = true;
      this.#wake?.();
    });
    this.socket.on('error', () => undefined);
  }
  /** Sends the request head (and `extra` right behind it, in the same write). */
  request(method: string, path: string, body = '', extra = ''): void {
    const head = [`${method} ${path} HTTP/1.1`, 'Host: api.moby.localhost', 'Connection: Upgrade', 'Upgrade: tcp'];
    if (body !== '') head.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
    this.socket.write(`${head.join('\r\n')}\r\n\r\n${body}${extra}`);
  }
  /** Waits until the bytes received satisfy `done` (bounded). */
  async until(done: (data: Buffer, ended: boolean) => boolean): Promise<Buffer> {
    const deadline = Date.now() + WAIT_MS;
    while (!done(this.#data, this.#ended)) {
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(this.#data.toString())}`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.#data;
  }
  /** The response head, and the stream bytes after it. */
  async head(): Promise<{ head: string; rest: Buffer }> {
    const data = await this.until((d) => d.includes('\r\n\r\n'));
    const at = data.indexOf('\r\n\r\n');
    return { head: data.subarray(0, at).toString(), rest: data.subarray(at + 4) };
  }
  async stream(): Promise<Buffer> {
    return (await this.head()).rest;
  }
}

async function created(port: number, body: Record<string, unknown>): Promise<string> {
  const reply = await send({ port }, 'POST', '/v1.41/containers/create', { body: JSON.stringify({ Image: 'busybox', ...body }), headers: { 'Content-Type': 'application/json' } });
  assert.equal(reply.status, 201);
  return (JSON.parse(reply.body) as { Id: string }).Id;
}

test('attach answers 101 UPGRADED, relays stdin, frames stdout and stderr, and ends when stdin closes (StdinOnce)', async (t) => {
  const runtime = new FakeRuntime();
  const port = await serve(t, runtime);
  const id = await created(port, { OpenStdin: true, StdinOnce: true, AttachStdin: true });
  const client = new RawClient(port);
  t.after(() => client.socket.destroy());
  client.request('POST', `/v1.41/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`);
  const { head } = await client.head();
  assert.match(head, /^HTTP\/1\.1 101 UPGRADED\r\n/);
  assert.match(head, /\r\nContent-Type: application\/vnd\.docker\.raw-stream\r\n/);
  assert.match(head, /\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n/);
  assert.match(head, /\r\nApi-Version: 1\.\d+\r\n/);
  client.socket.write('hello\n');
  await client.until((d) => parseStdcopy(d.subarray(d.indexOf('\r\n\r\n') + 4)).frames.length === 1);
  client.socket.write('err:oops\n');
  await client.until((d) => parseStdcopy(d.subarray(d.indexOf('\r\n\r\n') + 4)).frames.length === 2);
  client.socket.end();
  const data = await client.until((_d, ended) => ended);
  const frames = parseStdcopy(data.subarray(data.indexOf('\r\n\r\n') + 4)).frames.map((f) => [f.stream, f.payload.toString()]);
  assert.deepEqual(frames, [['stdout', 'hello\n'], ['stderr', 'err:oops\n']]);
  assert.equal(runtime.attached(id)[0]!.stdinEnded, true, 'the client closing its side closed the stdin');
});

test('attach without stdin=1 ignores input and a TTY stream has no frame headers', async (t) => {
  const runtime = new FakeRuntime();
  const port = await serve(t, runtime);
  const id = await created(port, { OpenStdin: true, Tty: true });
  const client = new RawClient(port);
  t.after(() => client.socket.destroy());
  client.request('POST', `/v1.41/containers/${id}/attach?stream=1&stdout=1&stderr=1`);
  assert.match((await client.head()).head, /\r\nContent-Type: application\/vnd\.docker\.raw-stream\r\n/);
  client.socket.write('ignored\n');
  const stdio = await waitFor(() => runtime.attached(id)[0]);
  stdio.emit('stdout', 'prompt # ');
  const stream = await client.until((d) => d.toString().endsWith('prompt # '));
  assert.equal(stream.subarray(stream.indexOf('\r\n\r\n') + 4).toString(), 'prompt # ', 'raw bytes, no frame header, no echo of the ignored input');
  client.socket.destroy();
  // A gone client looks like a half-closed one until writing to it fails: output finds out.
  await waitFor(() => (stdio.closed ? true : void stdio.emit('stdout', 'more output ')));
  assert.equal(stdio.stdinEnded, false, 'a client that goes away detaches; the container keeps its stdin');
});

test('a refused upgrade gets a plain JSON error and the connection closes', async (t) => {
  const port = await serve(t, new FakeRuntime());
  const client = new RawClient(port);
  t.after(() => client.socket.destroy());
  client.request('POST', '/v1.41/containers/nosuch/attach?stream=1&stdout=1');
  const data = await client.until((_d, ended) => ended);
  const text = data.toString();
  assert.match(text, /^HTTP\/1\.1 404 Not Found\r\n/);
  assert.match(text, /\r\nConnection: close\r\n/);
  assert.equal(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).message, 'No such container: nosuch');
});

test('exec: create 201, start hijacks after its JSON body (bytes behind it are stdin), inspect has the exit code', async (t) => {
  const runtime = new FakeRuntime();
  const port = await serve(t, runtime);
  const id = await created(port, {});
  const notRunning = await send({ port }, 'POST', `/v1.41/containers/${id}/exec`, { body: JSON.stringify({ Cmd: ['true'] }), headers: { 'Content-Type': 'application/json' } });
  assert.deepEqual([notRunning.status, JSON.parse(notRunning.body)], [409, { message: `Container ${id} is not running` }]);
  await runtime.start(id);
  const body = { AttachStdin: true, AttachStdout: true, AttachStderr: true, Cmd: ['sh', '-c', 'exit 3'] };
  const create = await send({ port }, 'POST', `/v1.41/containers/${id}/exec`, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  assert.equal(create.status, 201);
  const execId = (JSON.parse(create.body) as { Id: string }).Id;
  assert.match(execId, /^[0-9a-f]{64}$/);
  const running = JSON.parse((await send({ port }, 'GET', `/v1.41/exec/${execId}/json`)).body);
  assert.deepEqual([running.Running, running.ExitCode, running.ContainerID, running.ProcessConfig], [false, null, id, { tty: false, entrypoint: 'sh', arguments: ['-c', 'exit 3'], privileged: false }]);

  const client = new RawClient(port);
  t.after(() => client.socket.destroy());
  client.request('POST', `/v1.41/exec/${execId}/start`, JSON.stringify({ Detach: false, Tty: false }), 'typed-early\n');
  assert.match((await client.head()).head, /^HTTP\/1\.1 101 UPGRADED\r\n/);
  client.socket.end();
  const data = await client.until((_d, ended) => ended);
  const frames = parseStdcopy(data.subarray(data.indexOf('\r\n\r\n') + 4)).frames.map((f) => f.payload.toString());
  assert.deepEqual(frames, ['sh -c exit 3\n', 'typed-early\n']);
  const done = JSON.parse((await send({ port }, 'GET', `/v1.41/exec/${execId}/json`)).body);
  assert.deepEqual([done.Running, done.ExitCode, done.Pid], [false, 3, 4242]);

  const again = await send({ port }, 'POST', `/v1.41/exec/${execId}/start`, { body: '{"Detach":true}', headers: { 'Content-Type': 'application/json' } });
  assert.deepEqual([again.status, JSON.parse(again.body)], [409, { message: `Error: Exec command ${execId} is already running` }]);
  const missing = await send({ port }, 'GET', '/v1.41/exec/nosuch/json');
  assert.deepEqual([missing.status, JSON.parse(missing.body)], [404, { message: 'No such exec instance: nosuch' }]);
});

test('exec start with Detach answers 200 without hijacking; resize passes h and w, and needs both', async (t) => {
  const runtime = new FakeRuntime();
  const port = await serve(t, runtime);
  const id = await created(port, { Tty: true });
  await runtime.start(id);
  const create = await send({ port }, 'POST', `/v1.41/containers/${id}/exec`, { body: JSON.stringify({ Cmd: ['sleep', '1'], Tty: true }), headers: { 'Content-Type': 'application/json' } });
  const execId = (JSON.parse(create.body) as { Id: string }).Id;
  const started = await send({ port }, 'POST', `/v1.41/exec/${execId}/start`, { body: '{"Detach":true,"Tty":true}', headers: { 'Content-Type': 'application/json' } });
  assert.deepEqual([started.status, started.body], [200, '']);
  assert.equal((await send({ port }, 'POST', `/v1.41/exec/${execId}/resize?h=30&w=90`)).status, 200);
  assert.equal((await send({ port }, 'POST', `/v1.41/containers/${id}/resize?h=40&w=100`)).status, 200);
  const bad = await send({ port }, 'POST', `/v1.41/containers/${id}/resize?h=40`);
  assert.deepEqual([bad.status, JSON.parse(bad.body)], [400, { message: 'resize requires both h and w' }]);
  assert.deepEqual(runtime.resizes, [`${execId} 30 90`, `${id} 40 100`]);
});

async function waitFor<T>(probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Creates an exec and returns its ID. */
async function execCreated(port: number, container: string, body: Record<string, unknown>): Promise<string> {
  const reply = await send({ port }, 'POST', `/v1.41/containers/${container}/exec`, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  assert.equal(reply.status, 201, reply.body);
  return (JSON.parse(reply.body) as { Id: string }).Id;
}

/** The stream bytes of a hijacked exchange once the server ended it. */
async function streamUntilEnd(client: RawClient): Promise<Buffer> {
  const data = await client.until((_d, ended) => ended);
  return data.subarray(data.indexOf('\r\n\r\n') + 4);
}

test('exec output is framed by the Tty of the start request, not of the create (as dockerd)', async (t) => {
  const runtime = new FakeRuntime();
  const port = await serve(t, runtime);
  const id = await created(port, {});
  await runtime.start(id);
  const cases = [
    { create: true, start: false, framed: true },
    { create: false, start: true, framed: false },
    { create: true, start: true, framed: false },
    { create: false, start: false, framed: true },
  ];
  for (const c of cases) {
    const execId = await execCreated(port, id, { Cmd: ['echo', 'hi'], Tty: c.create, AttachStdout: true, AttachStderr: true });
    const client = new RawClient(port);
    t.after(() => client.socket.destroy());
    client.request('POST', `/v1.41/exec/${execId}/start`, JSON.stringify({ Detach: false, Tty: c.start }));
    const stream = await streamUntilEnd(client);
    if (c.framed) assert.deepEqual(parseStdcopy(stream).frames.map((f) => [f.stream, f.payload.toString()]), [['stdout', 'echo hi\n']], JSON.stringify(c));
    else assert.equal(stream.toString(), 'echo hi\n', JSON.stringify(c));
  }
  const bad = await send({ port }, 'POST', `/v1.41/exec/${await execCreated(port, id, { Cmd: ['true'] })}/start`, { body: '{"Tty":"yes"}', headers: { 'Content-Type': 'application/json' } });
  assert.deepEqual([bad.status, JSON.parse(bad.body)], [400, { message: 'json: cannot unmarshal string into Go struct field ExecStartOptions.Tty of type bool' }]);
});

test('attach with logs=1&stream=0 answers what the container logged, framed, and closes without attaching', async (t) => {
  const runtime = new FakeRuntime();
  const port = await serve(t, runtime);
  const id = await created(port, {});
  await runtime.start(id);
  const attach = async (query: string): Promise<Buffer> => {
    const client = new RawClient(port);
    t.after(() => client.socket.destroy());
    client.request('POST', `/v1.41/containers/${id}/attach?${query}`);
    assert.match((await client.head()).head, /^HTTP\/1\.1 101 UPGRADED\r\n/);
    return streamUntilEnd(client);
  };
  const frames = (b: Buffer) => parseStdcopy(b).frames.map((f) => [f.stream, f.payload.toString()]);
  assert.deepEqual(frames(await attach('logs=1&stream=0&stdout=1&stderr=1')), [['stdout', 'hello\n'], ['stderr', 'oops\n']]);
  assert.deepEqual(frames(await attach('logs=1&stdout=1')), [['stdout', 'hello\n']]);
  assert.equal((await attach('stdout=1&stderr=1')).length, 0, 'neither logs nor stream: nothing, and the end');
  assert.deepEqual(runtime.attached(id), [], 'no live attach was made');
  const tty = await created(port, { Tty: true });
  const client = new RawClient(port);
  t.after(() => client.socket.destroy());
  client.request('POST', `/v1.41/containers/${tty}/attach?logs=1&stdout=1`);
  assert.equal((await streamUntilEnd(client)).toString(), 'hello\n', 'a terminal\'s log comes raw');
});

test('detach keys end an attach to a terminal (default ctrl-p ctrl-q, or ?detachKeys) and leave the container its stdin', async (t) => {
  const runtime = new FakeRuntime();
  const port = await serve(t, runtime);
  const id = await created(port, { Tty: true, OpenStdin: true });
  await runtime.start(id);
  const attach = async (query: string) => {
    const client = new RawClient(port);
    t.after(() => client.socket.destroy());
    client.request('POST', `/v1.41/containers/${id}/attach?stream=1&stdin=1&stdout=1${query}`);
    await client.head();
    return client;
  };
  const first = await attach('');
  first.socket.write('ls\n');
  await first.until((d) => d.toString().endsWith('ls\n'));
  first.socket.write(Buffer.from([16]));
  await new Promise((resolve) => setTimeout(resolve, 50));
  first.socket.write(Buffer.from([17]));
  await first.until((_d, ended) => ended);
  const [stdio] = runtime.attached(id);
  assert.deepEqual([stdio!.closed, stdio!.stdinEnded], [true, false], 'detached; the container keeps its stdin');

  const custom = await attach('&detachKeys=ctrl-x,y');
  custom.socket.write(Buffer.from([16, 17]));
  await custom.until((d) => d.includes(Buffer.from([16, 17])));
  custom.socket.write(Buffer.from([24, 121]));
  const stream = await streamUntilEnd(custom);
  assert.equal(stream.toString('latin1'), '\x10\x11', 'the default keys are plain input when others are asked for; the sequence never reaches the container');

  const bad = new RawClient(port);
  t.after(() => bad.socket.destroy());
  bad.request('POST', `/v1.41/containers/${id}/attach?stream=1&stdin=1&detachKeys=ctrl-`);
  const text = (await bad.until((_d, ended) => ended)).toString();
  assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.equal(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).message, 'Invalid detach keys (ctrl-) provided');
});

test('without a terminal the detach keys are input like any other (dockerd watches terminals only)', async (t) => {
  const runtime = new FakeRuntime();
  const port = await serve(t, runtime);
  const id = await created(port, { OpenStdin: true });
  await runtime.start(id);
  const client = new RawClient(port);
  t.after(() => client.socket.destroy());
  client.request('POST', `/v1.41/containers/${id}/attach?stream=1&stdin=1&stdout=1`);
  await client.head();
  client.socket.write(Buffer.from([16]));
  await new Promise((resolve) => setTimeout(resolve, 50));
  client.socket.write(Buffer.from([17]));
  const data = await client.until((d) => parseStdcopy(d.subarray(d.indexOf('\r\n\r\n') + 4)).frames.length === 2);
  assert.deepEqual(parseStdcopy(data.subarray(data.indexOf('\r\n\r\n') + 4)).frames.map((f) => [...f.payload]), [[16], [17]]);
  assert.equal(runtime.attached(id)[0]!.closed, false, 'still attached');
});

test('exec DetachKeys: inspect shows them as dockerd (base64 bytes), they end an exec attach on a terminal, bad ones are 500', async (t) => {
  const runtime = new FakeRuntime();
  const port = await serve(t, runtime);
  const id = await created(port, {});
  await runtime.start(id);
  const execId = await execCreated(port, id, { Cmd: ['sh'], Tty: true, AttachStdin: true, AttachStdout: true, DetachKeys: 'ctrl-a' });
  assert.equal(JSON.parse((await send({ port }, 'GET', `/v1.41/exec/${execId}/json`)).body).DetachKeys, 'AQ==');
  const plain = await execCreated(port, id, { Cmd: ['true'] });
  assert.equal(JSON.parse((await send({ port }, 'GET', `/v1.41/exec/${plain}/json`)).body).DetachKeys, '');

  const client = new RawClient(port);
  t.after(() => client.socket.destroy());
  client.request('POST', `/v1.41/exec/${execId}/start`, JSON.stringify({ Detach: false, Tty: true }));
  await client.until((d) => d.toString().endsWith('sh\n'));
  client.socket.write(Buffer.from([120, 1, 121]));
  assert.equal((await streamUntilEnd(client)).toString(), 'sh\nx', 'input before the keys still reaches the process');
  client.socket.end();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const state = JSON.parse((await send({ port }, 'GET', `/v1.41/exec/${execId}/json`)).body);
  assert.deepEqual([state.Running, state.ExitCode], [true, null], 'the exec keeps running, its stdin open');

  const bad = await send({ port }, 'POST', `/v1.41/containers/${id}/exec`, { body: JSON.stringify({ Cmd: ['sh'], DetachKeys: 'ctrl-' }), headers: { 'Content-Type': 'application/json' } });
  assert.deepEqual([bad.status, JSON.parse(bad.body)], [500, { message: 'Invalid escape keys (ctrl-) provided' }]);
});
