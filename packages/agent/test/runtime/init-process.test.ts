import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processStartTime, signalNumber } from '../../src/runtime/init-process.js';

test('a process start time is read from /proc and is gone with the process, whatever its name', async (t) => {
  // A command name with a space and a parenthesis, which /proc/PID/stat prints as is.
  const dir = mkdtempSync(join(tmpdir(), 'shoal-init-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync('/bin/sleep', join(dir, 'odd ) name'));
  const child = spawn(join(dir, 'odd ) name'), ['30']);
  t.after(() => child.kill('SIGKILL'));
  await once(child, 'spawn');
  assert.match(readFileSync(`/proc/${child.pid}/stat`, 'utf8'), /\(odd \) name\)/);
  const start = processStartTime(child.pid!);
  assert.match(start ?? '', /^\d+$/);
  assert.equal(processStartTime(child.pid!), start);
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.equal(processStartTime(child.pid!), undefined);
  assert.equal(processStartTime(0), undefined);
});

test('signals are named as docker kill takes them', () => {
  assert.equal(signalNumber('SIGTERM'), 15);
  assert.equal(signalNumber('kill'), 9);
  assert.equal(signalNumber('10'), 10);
  assert.equal(signalNumber('SIGNOPE'), undefined);
});
