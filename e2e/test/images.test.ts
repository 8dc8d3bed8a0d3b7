// Image commands with the real docker CLI against shoald: tag, and save whose archive loads back on
// another host with the same image ID and is a docker-archive skopeo accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerCli, dockerOk, withCluster } from '../src/index.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';

test('docker tag names the image anew; docker save archives load on another host with the same ID and pass skopeo; prune -a removes unused images', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-images-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cluster = await withCluster(t, { managers: 2, workers: 0 });
  const [a, b] = cluster.hosts;
  assert.ok(a && b);
  await loadBusybox(dockerCli, [a]);
  const id = (await dockerOk(a, ['image', 'inspect', '--format', '{{.Id}}', 'busybox:latest'])).trim();

  await dockerOk(a, ['tag', 'busybox', 'localhost:5000/team/bb:v1']);
  await dockerOk(a, ['tag', id.slice(7, 19), 'bb2']);
  assert.equal((await dockerOk(a, ['image', 'inspect', '--format', '{{.Id}}', 'localhost:5000/team/bb:v1'])).trim(), id);
  assert.match(await dockerOk(a, ['images', '--format', '{{.Repository}}:{{.Tag}}']), /^bb2:latest$/m);
  const missing = await dockerCli(a, ['tag', 'nosuch:1', 'x:1']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), 'Error response from daemon: No such image: nosuch:1');

  const tar = join(dir, 'bb.tar');
  await dockerOk(a, ['save', '-o', tar, 'localhost:5000/team/bb:v1', 'busybox']);
  const entries = execFileSync('tar', ['-t', '-f', tar], { encoding: 'utf8' }).trim().split('\n');
  assert.ok(entries.includes('manifest.json') && entries.includes('repositories') && entries.includes(`${id.slice(7)}.json`), entries.join(' '));
  assert.ok(entries.some((e) => /^[0-9a-f]{64}\/layer\.tar$/.test(e)), 'a layer directory');
  const inspected = JSON.parse(execFileSync('skopeo', ['inspect', `docker-archive:${tar}:busybox:latest`], { encoding: 'utf8' })) as { Layers: string[]; Os: string };
  assert.equal(inspected.Os, 'linux');
  assert.equal(inspected.Layers.length, 1);

  const loaded = await dockerOk(b, ['load', '-i', tar]);
  assert.match(loaded, /Loaded image: busybox:latest/);
  assert.match(loaded, /Loaded image: localhost:5000\/team\/bb:v1/);
  assert.equal((await dockerOk(b, ['image', 'inspect', '--format', '{{.Id}}', 'busybox:latest'])).trim(), id, 'the same image ID on the other host');
  assert.equal((await dockerOk(b, ['run', '--rm', 'localhost:5000/team/bb:v1', 'echo', 'saved and loaded'])).trim(), 'saved and loaded');

  const pruned = await dockerOk(b, ['image', 'prune', '--all', '--force']);
  assert.match(pruned, /^untagged: busybox:latest$/m);
  assert.match(pruned, new RegExp(`^deleted: ${id}$`, 'm'));
  assert.match(pruned, /^Total reclaimed space: \d/m);
  assert.equal((await dockerOk(b, ['image', 'ls', '-q'])).trim(), '', 'nothing used the images: all are gone');

  const streamed = await dockerCli(a, ['save', 'nosuch:1']);
  assert.equal(streamed.code, 1);
  assert.match(streamed.stderr, /No such image: nosuch:1/);
});
