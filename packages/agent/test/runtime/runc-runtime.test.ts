// Real runc: needs root and the runc and busybox binaries (skipped otherwise).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageStore } from '../../src/images/index.js';
import { RuncRuntime, RuntimeError } from '../../src/runtime/index.js';

const canRun = process.getuid?.() === 0 && existsSync('/bin/busybox') && hasTools();
function hasTools(): boolean {
  try {
    execFileSync('runc', ['--version']);
    execFileSync('conmon', ['--version']);
    return true;
  } catch {
    return false;
  }
}

async function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-runc-'));
  const root = join(dir, 'rootfs');
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  for (const a of ['sh', 'sleep', 'echo', 'cat', 'hostname', 'id', 'stat']) symlinkSync('busybox', join(root, 'bin', a));
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  execFileSync('tar', ['-c', '-f', join(dir, 'bb.tar'), '-C', root, '.']);
  const images = await ImageStore.open(join(dir, 'data/images'));
  await images.importTar(createReadStream(join(dir, 'bb.tar')), { reference: 'busybox:latest' });
  const roots = { dataRoot: join(dir, 'data'), execRoot: join(dir, 'exec') };
  let runtime = await RuncRuntime.open({ ...roots, images });
  // Keeps the event loop alive while the test awaits exits (the runtime's own poll is unref'd).
  const keep = setInterval(() => {}, 1_000);
  t.after(async () => {
    clearInterval(keep);
    for (const c of runtime.list()) await runtime.remove(c.spec.id, true).catch(() => undefined);
    runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    roots,
    images,
    get runtime() {
      return runtime;
    },
    async reopen() {
      runtime.close();
      runtime = await RuncRuntime.open({ ...roots, images });
      return runtime;
    },
  };
}

const newId = () => randomBytes(32).toString('hex');

/** Runs a busybox container to a zero exit; resolves with its output. */
/** Waits (bounded) until the container printed `text`: a signal sent before its trap is set would kill it. */
async function printed(runtime: RuncRuntime, id: string, text: string): Promise<void> {
  for await (const l of runtime.logs(id, { follow: true, signal: AbortSignal.timeout(10_000) })) if (l.data.toString().includes(text)) return;
  throw new Error(`${id} never printed ${text}`);
}

async function runToSuccess(runtime: RuncRuntime, spec: { name: string; user: string; cmd: string[] }): Promise<string> {
  const id = newId();
  await runtime.create({ id, image: 'busybox', ...spec });
  await runtime.start(id);
  assert.equal(await runtime.wait(id, AbortSignal.timeout(5_000)), 0);
  const out: string[] = [];
  for await (const l of runtime.logs(id, {})) out.push(l.data.toString());
  return out.join('');
}

test('a container runs, logs stdout and stderr apart, and reports its exit code', { skip: !canRun }, async (t) => {
  const { runtime } = await setup(t);
  const id = newId();
  await runtime.create({ id, name: 'hello', image: 'busybox', cmd: ['sh', '-c', 'echo out; echo err >&2; cat /etc/hostname; exit 3'] });
  await runtime.start(id);
  assert.equal(await runtime.wait(id, AbortSignal.timeout(5_000)), 3);
  const lines: string[] = [];
  for await (const l of runtime.logs(id, {})) lines.push(`${l.stream}:${l.data.toString()}`);
  assert.deepEqual(lines.sort(), [`stdout:${id.slice(0, 12)}\n`, 'stderr:err\n', 'stdout:out\n'].sort());
  assert.equal(runtime.get('hello')?.state.status, 'exited');
});

test("a non-root user enters /, reads the engine's /etc files and runs programs, whatever the daemon's umask", { skip: !canRun }, async (t) => {
  const { runtime } = await setup(t);
  const umask = process.umask(0o077); // shoald's
  t.after(() => process.umask(umask));
  const script = 'id; pwd; stat -c "%a %u:%g %n" / /etc/hosts /etc/resolv.conf /etc/hostname; cat /etc/hosts >/dev/null && echo read';
  assert.equal(await runToSuccess(runtime, { name: 'nonroot', user: '1000:1000', cmd: ['sh', '-c', script] }), 'uid=1000 gid=1000 groups=1000\n/\n755 0:0 /\n644 0:0 /etc/hosts\n644 0:0 /etc/resolv.conf\n644 0:0 /etc/hostname\nread\n');
});

test("a user named in the container's /etc/passwd runs with its ids; an unknown one ends the start with dockerd's message", { skip: !canRun }, async (t) => {
  const { runtime } = await setup(t);
  assert.equal(await runToSuccess(runtime, { name: 'named', user: 'nobody', cmd: ['id'] }), 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n');

  const unknown = newId();
  await runtime.create({ id: unknown, name: 'unknown', image: 'busybox', user: 'alice', cmd: ['id'] });
  await assert.rejects(runtime.start(unknown), (err: unknown) => {
    assert.ok(err instanceof RuntimeError);
    assert.deepEqual([err.code, err.message], ['internal', 'unable to find user alice: no matching entries in passwd file']);
    return true;
  });
  const state = runtime.get(unknown)?.state;
  assert.deepEqual([state?.status, state?.exitCode, state?.error], ['exited', 128, 'unable to find user alice: no matching entries in passwd file']);
});

test("a command that does not exist fails the start with runc's reason and Docker's exit code 127", { skip: !canRun }, async (t) => {
  const { runtime } = await setup(t);
  const id = newId();
  await runtime.create({ id, name: 'missing', image: 'busybox', cmd: ['no-such-command'] });
  await assert.rejects(runtime.start(id), (err: unknown) => {
    assert.ok(err instanceof RuntimeError);
    assert.equal(err.code, 'invalid-argument');
    assert.match(err.message, /^failed to create task for container: OCI runtime create failed: .*"no-such-command": executable file not found in \$PATH.*: unknown$/);
    return true;
  });
  const state = runtime.get(id)?.state;
  assert.equal(state?.status, 'exited');
  assert.equal(state?.exitCode, 127);
});

test('a container started again logs after its earlier output, and an attach gets only the new run', { skip: !canRun }, async (t) => {
  const { runtime } = await setup(t);
  const id = newId();
  await runtime.create({ id, name: 'again', image: 'busybox', cmd: ['sh', '-c', 'echo run; printf no-newline; exit 2'] });
  await runtime.start(id);
  assert.equal(await runtime.wait(id, AbortSignal.timeout(5_000)), 2);
  const attach = runtime.attach(id, AbortSignal.timeout(5_000));
  await runtime.start(id);
  const attached: string[] = [];
  for await (const chunk of (await attach).output()) attached.push(chunk.data.toString());
  assert.equal(attached.join(''), 'run\nno-newline');
  assert.equal(await runtime.wait(id, AbortSignal.timeout(5_000)), 2);
  const logged: string[] = [];
  for await (const l of runtime.logs(id, {})) logged.push(l.data.toString());
  assert.equal(logged.join(''), 'run\nno-newlinerun\nno-newline');
});

test('names are unique and a missing image is refused with Docker messages', { skip: !canRun }, async (t) => {
  const { runtime } = await setup(t);
  const id = newId();
  await runtime.create({ id, name: 'web', image: 'busybox', cmd: ['true'] });
  await assert.rejects(runtime.create({ id: newId(), name: 'web', image: 'busybox', cmd: ['true'] }), (err: unknown) =>
    err instanceof RuntimeError && err.code === 'conflict' && err.message.startsWith(`Conflict. The container name "/web" is already in use by container "${id}".`));
  await assert.rejects(runtime.create({ id: newId(), name: 'other', image: 'nosuch', cmd: ['true'] }), (err: unknown) =>
    err instanceof RuntimeError && err.code === 'not-found' && err.message === 'No such image: nosuch:latest');
});

test('a running container survives reopening the runtime, stops with SIGKILL after the timeout, and leaves nothing after remove', { skip: !canRun }, async (t) => {
  const env = await setup(t);
  const id = newId();
  await env.runtime.create({ id, name: 'sleeper', image: 'busybox', cmd: ['sleep', '300'] });
  await env.runtime.start(id);
  const pid = env.runtime.get(id)!.state.pid;
  assert.ok(pid > 0);
  await assert.rejects(env.runtime.remove(id, false), /You cannot remove a running container/);

  const reopened = await env.reopen();
  assert.deepEqual([reopened.get('sleeper')?.state.status, reopened.get('sleeper')?.state.pid], ['running', pid]);
  await reopened.stop(id, 0);
  assert.deepEqual([reopened.get(id)?.state.status, reopened.get(id)?.state.exitCode], ['exited', 137]);
  await reopened.remove(id, false);
  assert.equal(reopened.get(id), undefined);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  assert.ok(!mounts.includes(env.roots.execRoot), 'no mount left');
  assert.deepEqual(readdirSync(join(env.roots.execRoot, 'containers')), []);
  assert.deepEqual(readdirSync(join(env.roots.execRoot, 'netns')), []);
  assert.deepEqual(readdirSync(join(env.roots.dataRoot, 'containers')), []);
  assert.equal(execFileSync('runc', ['--root', join(env.roots.execRoot, 'runc'), 'list', '-q']).toString(), '');
});

test('stop sends SIGTERM first and SIGKILL only after the grace period; kill sends the signal asked for, and a SIGKILL returns with the exit recorded', { skip: !canRun }, async (t) => {
  const { runtime } = await setup(t);
  const trapping = newId();
  await runtime.create({ id: trapping, name: 'trapping', image: 'busybox', cmd: ['sh', '-c', 'trap "exit 7" TERM; echo trapped; while true; do sleep 0.1; done'] });
  await runtime.start(trapping);
  await printed(runtime, trapping, 'trapped');
  let started = Date.now();
  await runtime.stop(trapping, 30);
  assert.deepEqual([runtime.get(trapping)?.state.status, runtime.get(trapping)?.state.exitCode], ['exited', 7]);
  assert.ok(Date.now() - started < 10_000, 'the TERM handler ended it well before the grace period');

  // sleep as PID 1 has no handler: SIGTERM does nothing, the grace period passes, SIGKILL ends it.
  const sleeper = newId();
  await runtime.create({ id: sleeper, name: 'sleeper2', image: 'busybox', cmd: ['sleep', '300'] });
  await runtime.start(sleeper);
  started = Date.now();
  await runtime.stop(sleeper, 1);
  assert.ok(Date.now() - started >= 1_000, 'waited the grace period');
  assert.equal(runtime.get(sleeper)?.state.exitCode, 137);

  const killed = newId();
  await runtime.create({ id: killed, name: 'killed', image: 'busybox', cmd: ['sh', '-c', 'trap "exit 5" USR1; echo trapped; while true; do sleep 0.1; done'] });
  await runtime.start(killed);
  await printed(runtime, killed, 'trapped');
  await runtime.kill(killed, 'USR1');
  assert.equal(await runtime.wait(killed, AbortSignal.timeout(10_000)), 5);

  // A SIGKILL resolves once the exit is recorded: whoever asks right after sees it.
  await runtime.start(killed);
  await runtime.kill(killed, '9');
  assert.deepEqual([runtime.get(killed)?.state.status, runtime.get(killed)?.state.exitCode], ['exited', 137]);
});
