// Needs root (mounts a tmpfs and a network namespace); skipped otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/runtime/command.js';
import { createNetns, isMountPoint, removeNetns, unmount } from '../../src/runtime/host-mounts.js';

const root = process.getuid?.() === 0;

test('a mount point is told apart from a plain directory or file, and unmount is repeatable', { skip: !root }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-mounts-'));
  const target = join(dir, 'rootfs');
  mkdirSync(target);
  t.after(async () => {
    await runCommand(['umount', '-l', target]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  assert.equal(await isMountPoint(target), false);
  assert.equal(await isMountPoint(join(dir, 'missing')), false);
  await runCommand(['mount', '-t', 'tmpfs', 'tmpfs', target]);
  assert.equal(await isMountPoint(target), true);
  await unmount(target);
  assert.equal(await isMountPoint(target), false);
  await unmount(target);
});

test('a pinned network namespace is a mount point with lo up, until removed', { skip: !root }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-mounts-'));
  const file = join(dir, 'ns');
  t.after(async () => {
    await removeNetns(file).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  await createNetns(file);
  await createNetns(file); // already there: nothing to do
  assert.equal(await isMountPoint(file), true);
  assert.match(await runCommand(['nsenter', `--net=${file}`, 'ip', '-o', 'link', 'show', 'lo']), /state UNKNOWN|<LOOPBACK,UP/);
  await removeNetns(file);
  assert.equal(await isMountPoint(file), false);
});
