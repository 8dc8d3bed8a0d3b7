// Standalone containers with the real docker CLI on one shoald (no swarm needed): images from the
// busybox test image by import and load, run -d/ps/logs/wait/inspect/stop/rm -f, image rm refusals,
// a daemon restart that finds the running container again, and nothing left behind after rm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, dockerOk, restartDaemon, run, withCluster } from '../src/index.js';
import { writeBusyboxRootfsTar, writeBusyboxSaveTar } from '../src/test-image.js';

test('docker import/load, run -d, ps, logs, wait, inspect, stop, rm -f and image rm against shoald; a restart keeps the container', async (t) => {
  const cluster = await withCluster(t, { managers: 1 });
  const host = cluster.hosts[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-images-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeBusyboxRootfsTar(join(dir, 'rootfs.tar'));
  writeBusyboxSaveTar(join(dir, 'save.tar'), 'busybox:latest');

  assert.match(await dockerOk(host, ['import', join(dir, 'rootfs.tar'), 'bbimport:v1']), /^sha256:[0-9a-f]{64}\n$/);
  assert.match(await dockerOk(host, ['load', '-i', join(dir, 'save.tar')]), /Loaded image: busybox:latest/);
  // import --change sets the image's config: the CMD runs, the ENV and WORKDIR are there; a bad change is dockerd's 400.
  await dockerOk(host, ['import', '--change', 'CMD ["echo","hi"]', join(dir, 'rootfs.tar'), 'changed:v1']);
  assert.equal(await dockerOk(host, ['run', '--rm', 'changed:v1']), 'hi\n');
  await dockerOk(host, ['import', '-c', 'ENV GREETING="hello there"', '-c', 'WORKDIR /tmp', '-c', 'CMD sh -c \'echo $GREETING from $(pwd)\'', join(dir, 'rootfs.tar'), 'changed:v2']);
  assert.equal(await dockerOk(host, ['run', '--rm', 'changed:v2']), 'hello there from /tmp\n');
  const badChange = await docker(host, ['import', '--change', 'RUN ls', join(dir, 'rootfs.tar'), 'changed:bad']);
  assert.match(badChange.stderr, /Error response from daemon: run is not a valid change command/);
  await dockerOk(host, ['image', 'rm', 'changed:v1', 'changed:v2']);
  const images = await dockerOk(host, ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.deepEqual(images.trim().split('\n').sort(), ['bbimport:v1', 'busybox:latest']);

  try {
    const id = (await dockerOk(host, ['run', '-d', '--name', 'sleeper', 'busybox', 'sleep', '300'])).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.match(await dockerOk(host, ['ps']), new RegExp(`${id.slice(0, 12)}\\s+busybox\\s+"sleep 300"\\s+.*\\s+Up .*\\s+sleeper\\n`));

    const conflict = await docker(host, ['run', '-d', '--name', 'sleeper', 'busybox', 'true']);
    assert.equal(conflict.code, 125);
    assert.match(conflict.stderr, new RegExp(`Conflict\\. The container name "/sleeper" is already in use by container "${id}"`));

    await dockerOk(host, ['run', '-d', '--name', 'hello', 'bbimport:v1', 'echo', 'hello']);
    assert.equal((await dockerOk(host, ['wait', 'hello'])).trim(), '0');
    assert.equal(await dockerOk(host, ['logs', 'hello']), 'hello\n');

    await dockerOk(host, ['run', '-d', '--name', 'failing', 'busybox', 'sh', '-c', 'echo out; echo oops >&2; exit 3']);
    assert.equal((await dockerOk(host, ['wait', 'failing'])).trim(), '3');
    const logs = await docker(host, ['logs', 'failing']);
    assert.deepEqual([logs.stdout, logs.stderr], ['out\n', 'oops\n'], 'stdout and stderr stay apart');
    assert.match(await dockerOk(host, ['ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}} {{.Status}}']), /failing Exited \(3\) /);

    const format = '{{.State.Status}} {{.State.Running}} {{.Name}} {{.Config.Image}} {{.Path}} {{.Args}}';
    assert.equal((await dockerOk(host, ['inspect', '--format', format, 'sleeper'])).trim(), 'running true /sleeper busybox sleep [300]');
    const pid = (await dockerOk(host, ['inspect', '--format', '{{.State.Pid}}', id.slice(0, 8)])).trim();

    const refused = await docker(host, ['image', 'rm', 'busybox']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /conflict: unable to remove repository reference "busybox" \(must force\) - container [0-9a-f]{12} is using its referenced image/);

    await restartDaemon(host);
    assert.match(await dockerOk(host, ['ps', '--format', '{{.Names}} {{.Status}}']), /^sleeper Up /m, 'the running container is found again');
    assert.equal((await dockerOk(host, ['inspect', '--format', '{{.State.Pid}}', 'sleeper'])).trim(), pid, 'same process');
    assert.equal(await dockerOk(host, ['logs', 'hello']), 'hello\n');

    // sleep as PID 1 ignores SIGTERM: stop escalates to SIGKILL after -t.
    await dockerOk(host, ['stop', '-t', '1', 'sleeper']);
    assert.equal((await dockerOk(host, ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'sleeper'])).trim(), 'exited 137');
    await dockerOk(host, ['start', 'sleeper']);
    assert.match(await dockerOk(host, ['ps', '--format', '{{.Names}}']), /^sleeper$/m, 'an exited container starts again');
  } finally {
    await docker(host, ['rm', '-f', 'sleeper', 'hello', 'failing']);
  }
  assert.equal(await dockerOk(host, ['ps', '-aq']), '');
  assert.match(await dockerOk(host, ['image', 'rm', 'busybox', 'bbimport:v1']), /Untagged: busybox:latest\nDeleted: sha256:/);
  assert.equal(await dockerOk(host, ['image', 'ls', '-q']), '');

  // Nothing leaks: no runc container, no mount, no bundle, namespace or data directory.
  assert.equal((await run(['runc', '--root', join(host.execRoot, 'runc'), 'list', '-q'])).stdout, '');
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(host.execRoot) || l.includes(host.dataRoot));
  assert.deepEqual(mounts, []);
  for (const sub of [join(host.execRoot, 'containers'), join(host.execRoot, 'netns'), join(host.dataRoot, 'containers')]) {
    assert.deepEqual(readdirSync(sub), [], `${sub} is empty`);
  }
});
