import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Spawner } from '../../src/runtime/spawner.js';

test('a command run through the helper gets its input and gives back exit code, stdout and stderr', async (t) => {
  const spawner = new Spawner();
  t.after(() => spawner.close());
  const ok = await spawner.run(['sh', '-c', 'cat; echo oops >&2'], { input: 'hello\n', timeoutMs: 5_000 });
  assert.deepEqual(ok, { exitCode: 0, stdout: 'hello\n', stderr: 'oops\n' });
  const failed = await spawner.run(['sh', '-c', 'exit 3'], { timeoutMs: 5_000 });
  assert.equal(failed.exitCode, 3);
});

test('a command past its bound is killed and one that cannot start says why', async (t) => {
  const spawner = new Spawner();
  t.after(() => spawner.close());
  const started = Date.now();
  const slow = await spawner.run(['sleep', '30'], { timeoutMs: 200, killSignal: 'SIGKILL' });
  assert.equal(slow.exitCode, null);
  assert.ok(Date.now() - started < 10_000);
  const missing = await spawner.run(['/nonexistent/shoal-tool'], { timeoutMs: 5_000 });
  assert.equal(missing.exitCode, null);
  assert.match(missing.spawnError ?? '', /ENOENT/);
});

test('a lost helper fails what was in flight and the next command starts a new one', async (t) => {
  const spawner = new Spawner();
  t.after(() => spawner.close());
  const inFlight = spawner.run(['sleep', '30'], { timeoutMs: 20_000 });
  await sleep(200);
  spawner.close();
  assert.match((await inFlight).spawnError ?? '', /command helper exited/);
  assert.equal((await spawner.run(['true'], { timeoutMs: 5_000 })).exitCode, 0);
});

test('a detached child runs in a session of its own (it outlives the daemon) and its exit is reported', async (t) => {
  const spawner = new Spawner();
  const dir = mkdtempSync(join(tmpdir(), 'shoal-spawner-'));
  t.after(() => {
    spawner.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const out = join(dir, 'sid');
  let exited!: () => void;
  const exit = new Promise<void>((resolve) => (exited = resolve));
  // In a session of its own: its session ID is its own PID.
  const pid = await spawner.startDetached(['sh', '-c', `ps -o sid= -p $$ > ${out}`], () => exited());
  assert.ok(pid > 0);
  await Promise.race([exit, sleep(10_000).then(() => assert.fail('no exit reported within 10 s'))]);
  assert.ok(existsSync(out));
  assert.equal(Number(readFileSync(out, 'utf8').trim()), pid);
});
