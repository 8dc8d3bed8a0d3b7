// Real runc: attach and exec through the shim and runc exec (skipped without root, runc or busybox).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageStore } from '../../src/images/index.js';
import { RuncRuntime, RuntimeError, type ProcessStdio } from '../../src/runtime/index.js';

const canRun = process.getuid?.() === 0 && existsSync('/bin/busybox') && existsSync('/usr/bin/script') && hasTools();
function hasTools(): boolean {
  try {
    execFileSync('runc', ['--version']);
    execFileSync('conmon', ['--version']);
    return true;
  } catch {
    return false;
  }
}

const WAIT_MS = 15_000;
const newId = () => randomBytes(32).toString('hex');

async function setup(t: TestContext): Promise<{ runtime: RuncRuntime; execRoot: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-attach-'));
  const root = join(dir, 'rootfs');
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  for (const a of ['sh', 'sleep', 'echo', 'cat', 'stty', 'tty']) symlinkSync('busybox', join(root, 'bin', a));
  execFileSync('tar', ['-c', '-f', join(dir, 'bb.tar'), '-C', root, '.']);
  const images = await ImageStore.open(join(dir, 'data/images'));
  await images.importTar(createReadStream(join(dir, 'bb.tar')), { reference: 'busybox:latest' });
  const execRoot = join(dir, 'exec');
  const runtime = await RuncRuntime.open({ dataRoot: join(dir, 'data'), execRoot, images });
  const keep = setInterval(() => {}, 1_000);
  t.after(async () => {
    clearInterval(keep);
    for (const c of runtime.list()) await runtime.remove(c.spec.id, true).catch(() => undefined);
    runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { runtime, execRoot };
}

/** Collects a stdio's output (as "stream:text" runs) until it ends, bounded. */
async function drain(stdio: ProcessStdio): Promise<{ stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const done = (async () => {
    for await (const chunk of stdio.output()) out[chunk.stream] += chunk.data.toString();
  })();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise((_r, reject) => (timer = setTimeout(() => reject(new Error(`output did not end: ${JSON.stringify(out)}`)), WAIT_MS)))]);
  clearTimeout(timer);
  return out;
}

async function outputUntil(stdio: ProcessStdio, pattern: RegExp): Promise<string> {
  let text = '';
  const iterator = stdio.output()[Symbol.asyncIterator]();
  const deadline = Date.now() + WAIT_MS;
  while (!pattern.test(text)) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} in ${JSON.stringify(text)}`);
    const next = await iterator.next();
    if (next.done === true) throw new Error(`output ended without ${pattern}: ${JSON.stringify(text)}`);
    text += next.value.data.toString();
  }
  return text;
}

test('an attach made before the start gets all the output, stdout and stderr apart, then the exit code', { skip: !canRun }, async (t) => {
  const { runtime } = await setup(t);
  const id = newId();
  await runtime.create({ id, name: 'early', image: 'busybox', cmd: ['sh', '-c', 'echo first; echo oops >&2; exit 5'] });
  const attached = runtime.attach(id, AbortSignal.timeout(WAIT_MS));
  await runtime.start(id);
  const out = await drain(await attached);
  assert.deepEqual(out, { stdout: 'first\n', stderr: 'oops\n' });
  assert.equal(await runtime.wait(id, AbortSignal.timeout(WAIT_MS)), 5);
});

test('stdin reaches an OpenStdin container, and closing it ends `cat`', { skip: !canRun }, async (t) => {
  const { runtime } = await setup(t);
  const id = newId();
  await runtime.create({ id, name: 'cat', image: 'busybox', cmd: ['cat'], openStdin: true, stdinOnce: true });
  const attached = runtime.attach(id, AbortSignal.timeout(WAIT_MS));
  await runtime.start(id);
  const stdio = await attached;
  stdio.writeStdin(Buffer.from('line one\n'));
  stdio.writeStdin(Buffer.from('line two\n'));
  stdio.endStdin();
  assert.deepEqual(await drain(stdio), { stdout: 'line one\nline two\n', stderr: '' });
  assert.equal(await runtime.wait(id, AbortSignal.timeout(WAIT_MS)), 0);
});

test('a TTY container: a shell on a real terminal, resized, reattached after a detach, exit code kept', { skip: !canRun }, async (t) => {
  const { runtime } = await setup(t);
  const id = newId();
  await runtime.create({ id, name: 'shell', image: 'busybox', cmd: ['sh'], tty: true, openStdin: true, consoleSize: { rows: 24, cols: 80 } });
  await runtime.start(id);
  const first = await runtime.attach(id, AbortSignal.timeout(WAIT_MS));
  first.writeStdin(Buffer.from('tty; stty size\r'));
  assert.match(await outputUntil(first, /24 80/), /\/dev\/pts\/0\r\n24 80/);
  await runtime.resize(id, { rows: 33, cols: 101 });
  first.close();
  const second = await runtime.attach(id, AbortSignal.timeout(WAIT_MS));
  // The resize reaches the container's terminal through runc's SIGWINCH handler: ask until it shows.
  const asking = setInterval(() => second.writeStdin(Buffer.from('stty size\r')), 200);
  try {
    await outputUntil(second, /33 101\r\n/);
  } finally {
    clearInterval(asking);
  }
  second.writeStdin(Buffer.from('exit 4\r'));
  const out = await drain(second);
  assert.equal(out.stderr, '', 'a terminal has one stream');
  assert.equal(await runtime.wait(id, AbortSignal.timeout(WAIT_MS)), 4);
});

test('exec runs in the container with its output, stdin and exit code; a TTY exec gets a terminal', { skip: !canRun }, async (t) => {
  const { runtime, execRoot } = await setup(t);
  const id = newId();
  await runtime.create({ id, name: 'box', image: 'busybox', cmd: ['sleep', '300'], env: ['FROM_IMAGE=yes'] });
  assert.throws(() => runtime.createExec(id, { cmd: ['true'], tty: false, stdin: false, attachStdout: true, attachStderr: true }), (err: unknown) => err instanceof RuntimeError && err.code === 'conflict' && err.message === `Container ${id} is not running`);
  await runtime.start(id);

  const exec = runtime.createExec(id, { cmd: ['sh', '-c', 'echo $FROM_IMAGE $EXTRA; cat; echo bad >&2; exit 3'], env: ['EXTRA=x'], tty: false, stdin: true, attachStdout: true, attachStderr: true });
  assert.deepEqual([exec.running, exec.exitCode], [false, null]);
  const stdio = (await runtime.startExec(exec.id, { detach: false }))!;
  stdio.writeStdin(Buffer.from('piped\n'));
  stdio.endStdin();
  assert.deepEqual(await drain(stdio), { stdout: 'yes x\npiped\n', stderr: 'bad\n' });
  const done = runtime.getExec(exec.id)!;
  assert.deepEqual([done.running, done.exitCode], [false, 3], 'the exit code is known once the output ended');
  assert.ok(done.pid > 0);
  await assert.rejects(runtime.startExec(exec.id, { detach: false }), (err: unknown) => err instanceof RuntimeError && err.code === 'conflict');

  const tty = runtime.createExec(id, { cmd: ['sh', '-c', 'tty; stty size; exit 7'], tty: true, stdin: false, attachStdout: true, attachStderr: true, consoleSize: { rows: 30, cols: 90 } });
  const ttyOut = await drain((await runtime.startExec(tty.id, { detach: false }))!);
  assert.match(ttyOut.stdout, /^\/dev\/pts\/\d+\r\n30 90\r\n$/);
  assert.equal(runtime.getExec(tty.id)!.exitCode, 7);

  assert.equal(runtime.getExec('nosuch'), undefined);
  await runtime.remove(id, true);
  assert.equal(runtime.getExec(exec.id), undefined, 'execs go with their container');
  assert.deepEqual(readdirSync(join(execRoot, 'execs')), []);
  assert.deepEqual(readdirSync(join(execRoot, 'attach')), []);
});

test('an attach waiting for a start is released when the container is removed', { skip: !canRun }, async (t) => {
  const { runtime } = await setup(t);
  const id = newId();
  await runtime.create({ id, name: 'never', image: 'busybox', cmd: ['true'] });
  const attached = runtime.attach(id, AbortSignal.timeout(WAIT_MS));
  await runtime.remove(id, false);
  await assert.rejects(attached, (err: unknown) => err instanceof RuntimeError && err.code === 'not-found');
});
