import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageError, ImageStore, layerWhiteouts, parseReference } from '../../src/images/index.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-images-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A tar of `files` (path → content; content null makes a directory). */
function makeTar(dir: string, name: string, files: Record<string, string | null>): string {
  const root = join(dir, `${name}-src`);
  mkdirSync(root, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    if (content === null) mkdirSync(join(root, path), { recursive: true });
    else {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
    }
  }
  const tar = join(dir, `${name}.tar`);
  execFileSync('tar', ['-c', '-f', tar, '-C', root, '.']);
  return tar;
}

const isImageError = (code: string, message: RegExp) => (err: unknown) => err instanceof ImageError && err.code === code && message.test(err.message);

test('references normalise to the familiar name with a default tag', () => {
  assert.deepEqual(parseReference('busybox'), { name: 'busybox', tag: 'latest' });
  assert.deepEqual(parseReference('docker.io/library/busybox:1.36'), { name: 'busybox', tag: '1.36' });
  assert.deepEqual(parseReference('localhost:5000/team/app'), { name: 'localhost:5000/team/app', tag: 'latest' });
  assert.throws(() => parseReference('BusyBox'), isImageError('invalid-argument', /invalid reference format/));
});

test('whiteouts delete lower paths and opaque markers hide lower directories', () => {
  assert.deepEqual(layerWhiteouts(['./', './etc/', './etc/.wh.passwd', './var/.wh..wh..opq', './var/x', '.wh.top']), {
    deleted: ['etc/passwd', 'top'],
    opaqueDirs: ['var'],
    markers: ['etc/.wh.passwd', 'var/.wh..wh..opq', '.wh.top'],
  });
});

test('import makes a tagged single-layer image whose ID is the sha256 of its config', async (t) => {
  const dir = tempDir(t);
  const store = await ImageStore.open(join(dir, 'images'));
  const image = await store.importTar(createReadStream(makeTar(dir, 'root', { 'bin/hello': 'hi', etc: null })), { reference: 'docker.io/library/demo:v1' });
  assert.match(image.id, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(image.repoTags, ['demo:v1']);
  assert.equal(readFileSync(join(image.rootfsDir, 'bin/hello'), 'utf8'), 'hi');
  assert.equal(store.resolve('demo:v1').id, image.id);
  assert.equal(store.resolve(image.id.slice(7, 19)).id, image.id, 'by ID prefix');
  assert.throws(() => store.resolve('demo'), isImageError('not-found', /^No such image: demo:latest$/));

  const reopened = await ImageStore.open(join(dir, 'images'));
  assert.deepEqual(reopened.list().map((i) => [i.id, i.repoTags]), [[image.id, ['demo:v1']]], 'the store persists');
});

test('load applies a docker save archive layers in order, with whiteouts', async (t) => {
  const dir = tempDir(t);
  const archive = join(dir, 'archive');
  mkdirSync(join(archive, 'l1'), { recursive: true });
  mkdirSync(join(archive, 'l2'), { recursive: true });
  execFileSync('mv', [makeTar(dir, 'one', { 'a.txt': 'a', 'b.txt': 'b', 'var/old': 'o' }), join(archive, 'l1/layer.tar')]);
  execFileSync('mv', [makeTar(dir, 'two', { '.wh.a.txt': '', 'var/.wh..wh..opq': '', 'var/new': 'n', 'b.txt': 'B' }), join(archive, 'l2/layer.tar')]);
  writeFileSync(join(archive, 'cfg.json'), JSON.stringify({ os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [] } }));
  writeFileSync(join(archive, 'manifest.json'), JSON.stringify([{ Config: 'cfg.json', RepoTags: ['multi:latest'], Layers: ['l1/layer.tar', 'l2/layer.tar'] }]));
  const tar = join(dir, 'save.tar');
  execFileSync('tar', ['-c', '-f', tar, '-C', archive, '.']);

  const store = await ImageStore.open(join(dir, 'images'));
  const [image] = await store.load(createReadStream(tar));
  assert.ok(image);
  assert.deepEqual(image.repoTags, ['multi:latest']);
  assert.equal(existsSync(join(image.rootfsDir, 'a.txt')), false, 'whited out');
  assert.equal(existsSync(join(image.rootfsDir, '.wh.a.txt')), false, 'marker removed');
  assert.equal(readFileSync(join(image.rootfsDir, 'b.txt'), 'utf8'), 'B');
  assert.equal(existsSync(join(image.rootfsDir, 'var/old')), false, 'hidden by the opaque directory');
  assert.equal(readFileSync(join(image.rootfsDir, 'var/new'), 'utf8'), 'n');
});

test("layers keep their modes; the root and the directories a layer implies are 0755, whatever the daemon's umask", async (t) => {
  const dir = tempDir(t);
  const src = join(dir, 'src');
  mkdirSync(join(src, 'usr/local/bin'), { recursive: true });
  mkdirSync(join(src, 'tmp'));
  writeFileSync(join(src, 'usr/local/bin/tool'), '#!/bin/sh\n');
  writeFileSync(join(src, 'secret'), 'x');
  chmodSync(join(src, 'usr/local/bin/tool'), 0o755);
  chmodSync(join(src, 'tmp'), 0o1777);
  chmodSync(join(src, 'secret'), 0o600);
  // Named entries only: no "./", no usr/ or usr/local/ — as layers made by some builders are.
  const tar = join(dir, 'layer.tar');
  execFileSync('tar', ['-c', '--no-recursion', '-f', tar, '-C', src, 'usr/local/bin/tool', 'tmp', 'secret']);
  const umask = process.umask(0o077); // shoald's
  t.after(() => process.umask(umask));

  const image = await (await ImageStore.open(join(dir, 'images'))).importTar(createReadStream(tar));
  const mode = (path: string) => (statSync(join(image.rootfsDir, path)).mode & 0o7777).toString(8);
  assert.deepEqual(
    ['.', 'usr', 'usr/local', 'usr/local/bin', 'usr/local/bin/tool', 'tmp', 'secret'].map((p) => `${p} ${mode(p)}`),
    ['. 755', 'usr 755', 'usr/local 755', 'usr/local/bin 755', 'usr/local/bin/tool 755', 'tmp 1777', 'secret 600'],
  );
});

test('an archive without manifest.json is refused', async (t) => {
  const dir = tempDir(t);
  const store = await ImageStore.open(join(dir, 'images'));
  await assert.rejects(store.load(createReadStream(makeTar(dir, 'bad', { 'x': 'y' }))), isImageError('invalid-argument', /manifest\.json/));
});

test('rm refuses an image a container uses and deletes an unused one with its tag', async (t) => {
  const dir = tempDir(t);
  const store = await ImageStore.open(join(dir, 'images'));
  const image = await store.importTar(createReadStream(makeTar(dir, 'root', { f: 'x' })), { reference: 'demo:v1' });
  const user = { id: 'c'.repeat(64), running: true };
  await assert.rejects(
    store.remove('demo:v1', { force: false, users: () => [user] }),
    isImageError('conflict', /^conflict: unable to remove repository reference "demo:v1" \(must force\) - container cccccccccccc is using its referenced image /),
  );
  const items = await store.remove('demo:v1', { force: false, users: () => [] });
  assert.deepEqual(items, [{ Untagged: 'demo:v1' }, { Deleted: image.id }]);
  assert.deepEqual(store.list(), []);
  assert.equal(existsSync(image.rootfsDir), false);
});

test('tag names an existing image under a new reference; a missing source or a bad target is refused', async (t) => {
  const dir = tempDir(t);
  const store = await ImageStore.open(join(dir, 'images'));
  const image = await store.importTar(createReadStream(makeTar(dir, 'root', { f: 'x' })), { reference: 'demo:v1' });
  await store.tag('demo:v1', 'localhost:5000/team/demo:v2');
  await store.tag(image.id.slice(7, 19), 'docker.io/library/other');
  assert.deepEqual([...store.resolve('demo:v1').repoTags].sort(), ['demo:v1', 'localhost:5000/team/demo:v2', 'other:latest']);
  await assert.rejects(store.tag('nosuch', 'x:1'), isImageError('not-found', /^No such image: nosuch:latest$/));
  await assert.rejects(store.tag('demo:v1', 'Bad:1'), isImageError('invalid-argument', /^invalid reference format/));
});

/** The archive's entry names and the content of its small files. */
function readArchive(dir: string, tar: string): { entries: string[]; file: (name: string) => string } {
  const out = join(dir, 'unpacked');
  mkdirSync(out);
  execFileSync('tar', ['-x', '-f', tar, '-C', out]);
  const entries = execFileSync('tar', ['-t', '-f', tar], { encoding: 'utf8' }).trim().split('\n');
  return { entries, file: (name) => readFileSync(join(out, name), 'utf8') };
}

test('save writes the docker-archive layout with the original layers, and load gives back the same image ID', async (t) => {
  const dir = tempDir(t);
  const archive = join(dir, 'archive');
  mkdirSync(join(archive, 'l1'), { recursive: true });
  mkdirSync(join(archive, 'l2'), { recursive: true });
  const l1 = makeTar(dir, 'one', { 'a.txt': 'a' });
  const l2 = makeTar(dir, 'two', { 'b.txt': 'b' });
  const digest = (f: string) => `sha256:${execFileSync('sha256sum', [f], { encoding: 'utf8' }).split(' ')[0]}`;
  const diffIds = [digest(l1), digest(l2)];
  execFileSync('mv', [l1, join(archive, 'l1/layer.tar')]);
  execFileSync('mv', [l2, join(archive, 'l2/layer.tar')]);
  writeFileSync(join(archive, 'cfg.json'), JSON.stringify({ os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: diffIds } }));
  writeFileSync(join(archive, 'manifest.json'), JSON.stringify([{ Config: 'cfg.json', RepoTags: ['multi:latest', 'multi:v2'], Layers: ['l1/layer.tar', 'l2/layer.tar'] }]));
  const tar = join(dir, 'in.tar');
  execFileSync('tar', ['-c', '-f', tar, '-C', archive, '.']);
  const store = await ImageStore.open(join(dir, 'images'));
  const [image] = await store.load(createReadStream(tar));
  assert.ok(image);

  const saved = await store.save(['multi']);
  t.after(() => saved.dispose());
  const { entries, file } = readArchive(dir, saved.path);
  const manifest = JSON.parse(file('manifest.json')) as { Config: string; RepoTags: string[]; Layers: string[] }[];
  assert.equal(manifest.length, 1);
  assert.equal(manifest[0]!.Config, `${image.id.slice(7)}.json`);
  assert.deepEqual(manifest[0]!.RepoTags.sort(), ['multi:latest', 'multi:v2'], 'a name without a tag saves every tag of the repository');
  const [v1a, v1b] = manifest[0]!.Layers.map((l) => l.split('/')[0]!);
  assert.deepEqual(manifest[0]!.Layers.map((l) => digest(join(dir, 'unpacked', l))), diffIds, 'the layers are the original tars');
  assert.equal(file(`${v1a}/VERSION`), '1.0');
  assert.equal((JSON.parse(file(`${v1b}/json`)) as { parent?: string }).parent, v1a);
  assert.deepEqual(JSON.parse(file('repositories')), { multi: { latest: v1b, v2: v1b } });
  assert.deepEqual(entries.slice(-3), [`${image.id.slice(7)}.json`, 'manifest.json', 'repositories']);

  const other = await ImageStore.open(join(dir, 'other'));
  const [back] = await other.load(createReadStream(saved.path));
  assert.equal(back?.id, image.id, 'the config bytes, and so the ID, survive the round trip');

  const byId = await store.save([image.id.slice(7, 19)]);
  t.after(() => byId.dispose());
  const idArchive = execFileSync('tar', ['-x', '-O', '-f', byId.path, 'manifest.json'], { encoding: 'utf8' });
  assert.equal((JSON.parse(idArchive) as { RepoTags: unknown }[])[0]!.RepoTags, null, 'saved by ID: no tags');
  await assert.rejects(store.save(['nosuch:1']), isImageError('not-found', /^No such image: nosuch:1$/));

  await store.remove('multi:latest', { force: false, users: () => [] });
  await store.remove('multi:v2', { force: false, users: () => [] });
  assert.deepEqual(execFileSync('ls', [join(dir, 'images', 'layers')], { encoding: 'utf8' }), '', 'the layers go with the last image that names them');
});
