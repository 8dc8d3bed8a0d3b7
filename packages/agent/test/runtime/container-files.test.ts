// Reading /etc files through a container's layers (needs root for the whiteout device; skipped otherwise).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEtcFile, readUserFiles } from '../../src/runtime/container-files.js';

const isRoot = process.getuid?.() === 0;

function layers(t: TestContext): { upper: string; lower: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-layers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const upper = join(dir, 'upper');
  const lower = join(dir, 'lower');
  mkdirSync(join(lower, 'etc'), { recursive: true });
  mkdirSync(upper);
  writeFileSync(join(lower, 'etc/passwd'), 'image passwd\n');
  writeFileSync(join(lower, 'etc/group'), 'image group\n');
  return { upper, lower };
}

test("the writable layer's file wins over the image's; without one the image's is read", async (t) => {
  const l = layers(t);
  assert.deepEqual(await readUserFiles(l), { passwd: 'image passwd\n', group: 'image group\n' });
  mkdirSync(join(l.upper, 'etc'));
  writeFileSync(join(l.upper, 'etc/passwd'), 'changed passwd\n');
  assert.deepEqual(await readUserFiles(l), { passwd: 'changed passwd\n', group: 'image group\n' });
  assert.equal(await readEtcFile(l, 'shadow'), undefined, 'in neither layer');
});

test('a symbolic link is not followed: it would resolve against the host root', async (t) => {
  const l = layers(t);
  mkdirSync(join(l.upper, 'etc'));
  symlinkSync('/etc/hostname', join(l.upper, 'etc/passwd'));
  assert.equal(await readEtcFile(l, 'passwd'), undefined);
  rmSync(join(l.upper, 'etc'), { recursive: true });
  symlinkSync('/etc', join(l.upper, 'etc'));
  assert.equal(await readEtcFile(l, 'group'), undefined, 'nor a linked /etc');
});

test("a whiteout in the writable layer hides the image's file", { skip: !isRoot }, async (t) => {
  const l = layers(t);
  mkdirSync(join(l.upper, 'etc'));
  execFileSync('mknod', [join(l.upper, 'etc/passwd'), 'c', '0', '0']);
  assert.equal(await readEtcFile(l, 'passwd'), undefined);
  assert.equal(await readEtcFile(l, 'group'), 'image group\n');
});
