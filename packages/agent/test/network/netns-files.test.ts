// Namespace files: whether a namespace is mounted on a file is read from the file itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsFiles, removeAllNamespaces } from '../../src/network/netns-files.js';

test('a namespace file reads as mounted exactly while a namespace is mounted on it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-netns-files-'));
  t.after(async () => {
    await removeAllNamespaces(dir);
    rmSync(dir, { recursive: true, force: true });
  });
  const files = new NetnsFiles(dir);
  assert.equal(files.isMounted('sb-a'), false, 'no file');
  writeFileSync(join(dir, 'sb-a'), '');
  assert.equal(files.isMounted('sb-a'), false, 'a plain file');
  await files.create('sb-a');
  assert.equal(files.isMounted('sb-a'), true);
  assert.deepEqual([...files.mounted()], ['sb-a'], 'agrees with mountinfo');
  await files.remove('sb-a');
  assert.equal(files.isMounted('sb-a'), false);
  assert.deepEqual([...files.mounted()], []);
});
