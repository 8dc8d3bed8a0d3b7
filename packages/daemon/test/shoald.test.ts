// bin/shoald as a real process: serves the docker CLI on its socket, exits 0 on SIGTERM and removes
// the socket; bad flags exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docker } from './api/helpers.js';

const shoald = fileURLToPath(new URL('../../../../bin/shoald', import.meta.url));

function start(t: test.TestContext, args: string[]): { child: ChildProcess; exited: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [shoald, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, exited };
}

async function waitFor(what: string, ms: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function withTimeout<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

test('shoald serves docker on its socket and exits 0 on SIGTERM, removing the socket', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoald-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socketPath = join(dir, 'exec', 'shoal.sock');
  const { child, exited } = start(t, [
    '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '-H', `unix://${socketPath}`, '--hostname', 'host-a',
  ]);
  await waitFor('the API socket', 10_000, () => existsSync(socketPath) || child.exitCode !== null);
  assert.equal(child.exitCode, null, 'shoald is running');
  assert.equal(statSync(join(dir, 'data')).mode & 0o777, 0o700);

  const version = await docker(socketPath, join(dir, 'cfg'), ['version', '--format', '{{.Server.APIVersion}} {{.Client.APIVersion}}']);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout, '1.41 1.41\n');
  const name = await docker(socketPath, join(dir, 'cfg'), ['info', '--format', '{{.Name}} {{.DockerRootDir}}']);
  assert.equal(name.stdout, `host-a ${join(dir, 'data')}\n`);

  child.kill('SIGTERM');
  const { code, stderr } = await withTimeout('shoald exit after SIGTERM', 10_000, exited);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /level=info msg="shutting down" signal=SIGTERM/);
  assert.equal(existsSync(socketPath), false);
});

test('shoald keeps its engine ID across restarts with the same data root', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoald-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socketPath = join(dir, 'shoal.sock');
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const { child, exited } = start(t, ['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '-H', `unix://${socketPath}`]);
    await waitFor('the API socket', 10_000, () => existsSync(socketPath) || child.exitCode !== null);
    const out = await docker(socketPath, join(dir, 'cfg'), ['info', '--format', '{{.ID}}']);
    assert.equal(out.code, 0, out.stderr);
    ids.push(out.stdout.trim());
    child.kill('SIGINT');
    assert.equal((await withTimeout('shoald exit after SIGINT', 10_000, exited)).code, 0);
  }
  assert.match(ids[0] as string, /^[0-9a-f]{64}$/);
  assert.equal(ids[1], ids[0]);
});

test('shoald refuses bad flags with a clear message and exit code 2', async (t) => {
  const { exited } = start(t, ['--log-level', 'loud']);
  const { code, stderr } = await withTimeout('shoald exit on bad flags', 10_000, exited);
  assert.equal(code, 2);
  assert.match(stderr, /^shoald: Invalid values:\n\s+Argument: log-level, Given: "loud"/);
  assert.match(stderr, /See 'shoald --help'\.\n$/);
});
