// shoal against docker on the same swarm (1 manager + 1 worker): service create/update/rollback/scale
// without --detach print docker's convergence progress (non-terminal form, IDs and timing-dependent
// repeats aside), inspect --pretty, image load/ls/import/rm/inspect, and exec with output streams,
// stdin and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliOk, docker, dockerOk, formSwarm, run, shoalCli, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { writeBusyboxRootfsTar, writeBusyboxSaveTar } from '../src/test-image.js';

const SHOAL_BIN = fileURLToPath(new URL('../../../bin/shoal', import.meta.url));
const LONG = { timeoutMs: 90_000 };

/**
 * The progress text with what legitimately differs between two runs made equal: IDs and names,
 * polls that repeat a line, and intermediate "k out of N" counts that depend on poll timing.
 */
export function normalizeProgress(text: string, names: Record<string, string>): string[] {
  let lines = text.split('\n');
  for (const [from, to] of Object.entries(names)) lines = lines.map((line) => line.split(from).join(to));
  const overall = /^overall progress: (rolling back update: )?(\d+) out of (\d+) tasks$/;
  const kept = lines.filter((line, index) => {
    const match = overall.exec(line);
    if (!match) return true;
    const isLast = !lines.slice(index + 1).some((later) => overall.test(later));
    return match[2] === '0' || isLast;
  });
  return kept.filter((line, index) => index === 0 || line !== kept[index - 1]);
}

async function bothOk(host: HostLayout, shoalArgs: string[], dockerArgs: string[]): Promise<[string, string]> {
  return [await cliOk(shoalCli, host, shoalArgs, LONG), await dockerOk(host, dockerArgs, LONG)];
}

test('shoal service create/update/rollback/scale show docker\'s convergence progress; images and exec match docker', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 1 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1] = cluster.hosts;
  assert.ok(m1 && w1);
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeBusyboxSaveTar(join(dir, 'busybox.tar'), 'busybox:latest');
  writeBusyboxRootfsTar(join(dir, 'rootfs.tar'));

  // load: same output as docker (a non-terminal stdout asks for the quiet stream).
  const [ourLoad, theirLoad] = await bothOk(m1, ['load', '-i', join(dir, 'busybox.tar')], ['load', '-i', join(dir, 'busybox.tar')]);
  assert.equal(ourLoad, 'Loaded image: busybox:latest\n');
  assert.equal(ourLoad, theirLoad);
  await cliOk(shoalCli, w1, ['load', '-i', join(dir, 'busybox.tar')]);
  assert.equal(await cliOk(shoalCli, w1, ['image', 'ls']), await dockerOk(w1, ['image', 'ls']));
  assert.equal(await cliOk(shoalCli, w1, ['images', '-q']), await dockerOk(w1, ['images', '-q']));

  // service create without --detach: the ID, then docker's progress lines, exit 0.
  const common = ['--replicas', '2', '--no-resolve-image', '--stop-grace-period', '1s', '--update-monitor', '2s', 'busybox:latest', 'sleep', '300'];
  const ours = await shoalCli(m1, ['service', 'create', '--name', 'web', ...common], LONG);
  const theirs = await docker(m1, ['service', 'create', '--name', 'web2', ...common], LONG);
  assert.equal(ours.code, 0, ours.stderr);
  assert.equal(theirs.code, 0, theirs.stderr);
  const ourId = ours.stdout.split('\n')[0] ?? '';
  const theirId = theirs.stdout.split('\n')[0] ?? '';
  assert.match(ourId, /^[0-9a-z]{25}$/);
  const created = normalizeProgress(ours.stdout, { [ourId]: '<ID>' });
  assert.deepEqual(created.slice(0, 4), ['<ID>', 'overall progress: 0 out of 2 tasks', '1/2:  ', '2/2:  ']);
  assert.deepEqual(created.slice(-3), ['verify: Waiting 1 seconds to verify that tasks are stable...', 'verify: Service <ID> converged', '']);
  assert.ok(created.includes('overall progress: 2 out of 2 tasks'), ours.stdout);
  assert.deepEqual(created, normalizeProgress(theirs.stdout, { [theirId]: '<ID>' }));

  // update and rollback: the name given is echoed and followed; rollback shows docker's rollback lines.
  const names = (ref: string) => ({ [ref]: '<SVC>' });
  const [ourUpdate, theirUpdate] = await bothOk(m1, ['service', 'update', '--env-add', 'X=1', 'web'], ['service', 'update', '--env-add', 'X=1', 'web2']);
  assert.equal(ourUpdate.split('\n')[0], 'web');
  assert.deepEqual(normalizeProgress(ourUpdate, names('web')), normalizeProgress(theirUpdate, names('web2')));
  assert.equal((await dockerOk(m1, ['service', 'inspect', '--format', '{{.Spec.TaskTemplate.ContainerSpec.Env}}', 'web'])).trim(), '[X=1]');
  const [ourRollback, theirRollback] = await bothOk(m1, ['service', 'rollback', 'web'], ['service', 'rollback', 'web2']);
  assert.match(ourRollback, /^overall progress: rolling back update: 2 out of 2 tasks$/m);
  assert.deepEqual(normalizeProgress(ourRollback, names('web')), normalizeProgress(theirRollback, names('web2')));
  assert.equal((await dockerOk(m1, ['service', 'inspect', '--format', '{{.Spec.TaskTemplate.ContainerSpec.Env}}', 'web'])).trim(), '[]');

  // A rollback stays rollback_started for its monitor period (5 s) after its last task runs, as in
  // swarmkit; the CLI's own verify wait (the update monitor, 2 s) may end first.
  for (const svc of ['web', 'web2']) {
    await waitFor(`${svc} rollback_completed`, async () =>
      (await dockerOk(m1, ['service', 'inspect', '--format', '{{.UpdateStatus.State}}', svc])).trim() === 'rollback_completed' ? true : undefined,
    { timeoutMs: 15_000, intervalMs: 200 });
  }
  const [ourPretty, theirPretty] = await bothOk(m1, ['service', 'inspect', '--pretty', 'web'], ['service', 'inspect', '--pretty', 'web2']);
  // The two services were rolled back seconds apart: their "Started: ... ago" differ.
  const pretty = (text: string, id: string, name: RegExp) => text.split(id).join('<ID>').replace(name, '<SVC>').replace(/(Started:\t).* ago/, '$1<AGO>');
  assert.equal(pretty(ourPretty, ourId, /\bweb\b/g), pretty(theirPretty, theirId, /\bweb2\b/g));
  assert.match(ourPretty, /\nUpdateStatus:\n State:\t\trollback_completed\n Started:\t\d+ seconds ago\n/);

  const [ourScale, theirScale] = await bothOk(m1, ['service', 'scale', 'web=3'], ['service', 'scale', 'web2=3']);
  assert.equal(ourScale.split('\n')[0], 'web scaled to 3');
  assert.deepEqual(normalizeProgress(ourScale, names('web')), normalizeProgress(theirScale, names('web2')));
  assert.equal(await cliOk(shoalCli, m1, ['service', 'update', '--detach', '--replicas', '1', 'web']), 'web\n');

  // import and image rm/inspect.
  const imported = await cliOk(shoalCli, w1, ['import', join(dir, 'rootfs.tar'), 'bbimport:v1']);
  assert.match(imported, /^sha256:[0-9a-f]{64}\n$/);
  const piped = await run(['sh', '-c', `"$0" "$1" -H "unix://$2" import - bbpiped:v1 < "$3"`, process.execPath, SHOAL_BIN, w1.socket, join(dir, 'rootfs.tar')]);
  assert.match(piped.stdout, /^sha256:[0-9a-f]{64}\n$/, piped.stderr);
  assert.match(await dockerOk(w1, ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']), /^bbpiped:v1$/m);
  assert.equal(
    await cliOk(shoalCli, w1, ['image', 'inspect', '--format', '{{.Id}} {{.RepoTags}}', 'bbimport:v1']),
    await dockerOk(w1, ['image', 'inspect', '--format', '{{.Id}} {{.RepoTags}}', 'bbimport:v1']),
  );
  const missing = await shoalCli(w1, ['image', 'inspect', 'nosuch']);
  const dockerMissing = await docker(w1, ['image', 'inspect', 'nosuch']);
  assert.deepEqual([missing.code, missing.stdout, missing.stderr], [dockerMissing.code, dockerMissing.stdout, dockerMissing.stderr]);
  assert.equal(await cliOk(shoalCli, w1, ['image', 'rm', 'bbimport:v1']), `Untagged: bbimport:v1\nDeleted: ${imported.trim()}\n`);
  const rmMissing = await shoalCli(w1, ['rmi', 'nosuch']);
  assert.deepEqual([rmMissing.code, rmMissing.stderr], [1, (await docker(w1, ['rmi', 'nosuch'])).stderr]);

  // exec: stdout and stderr apart, stdin with -i, the command's exit code.
  await cliOk(shoalCli, w1, ['run', '-d', '--name', 'c1', 'busybox:latest', 'sleep', '300']);
  const execArgs = ['exec', 'c1', 'sh', '-c', 'echo out; echo err >&2; exit 3'];
  const ourExec = await shoalCli(w1, execArgs);
  const theirExec = await docker(w1, execArgs);
  assert.deepEqual([ourExec.code, ourExec.stdout, ourExec.stderr], [3, 'out\n', 'err\n']);
  assert.deepEqual([ourExec.code, ourExec.stdout, ourExec.stderr], [theirExec.code, theirExec.stdout, theirExec.stderr]);
  const cat = await run([process.execPath, SHOAL_BIN, '-H', `unix://${w1.socket}`, 'exec', '-i', 'c1', 'cat'], { input: 'hello\nworld\n', timeoutMs: 15_000 });
  assert.deepEqual([cat.code, cat.stdout], [0, 'hello\nworld\n']);
  assert.equal(await cliOk(shoalCli, w1, ['exec', 'c1', 'hostname']), await dockerOk(w1, ['exec', 'c1', 'hostname']));
  await cliOk(shoalCli, w1, ['rm', '-f', 'c1']);
  await cliOk(shoalCli, m1, ['service', 'rm', 'web', 'web2']);
});
