import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { LevelLogStore } from '../../src/storage/index.js';
import { payload, tempDir } from './helpers.js';

const WRITER = fileURLToPath(new URL('./crash-writer.js', import.meta.url));
const ACKS_BEFORE_KILL = 300;
const WAIT_MS = 20_000;

test('after kill -9 mid-write the log is a contiguous prefix holding every synced entry', async (t) => {
  const dir = await tempDir(t);
  const child = spawn(process.execPath, [WRITER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  let acked = 0;
  let pending = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`writer acknowledged only ${acked} entries in ${WAIT_MS} ms`)), WAIT_MS);
    child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) acked = Math.max(acked, Number(line));
      if (acked >= ACKS_BEFORE_KILL) {
        child.kill('SIGKILL');
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await exited;

  const store = await LevelLogStore.open(dir);
  t.after(() => store.close());
  const { entries, hardState } = await store.load();
  assert.ok(entries.length >= acked, `acknowledged ${acked} but recovered only ${entries.length}`);
  entries.forEach((e, k) => {
    assert.equal(e.index, k + 1);
    assert.deepEqual(e.data, payload(e.index, 200));
  });
  assert.equal(hardState.commit, entries.length - 1, 'hard state and entries of one batch are atomic');
});
