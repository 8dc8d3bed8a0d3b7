// `service logs` end to end on a 1-manager + 1-worker swarm: the manager's leader asks the worker's
// agent for its tasks' lines and the docker CLI prints them with its "name.slot.task@node    | " prefix;
// --tail, task logs, stderr, -f picking up lines written later, shoal's output equal to docker's, and the
// lines of tasks that completed (their containers stay until the task history drops them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { cliOk, docker, dockerOk, formSwarm, shoalCli, waitFor, withCluster } from '../src/index.js';
import { writeBusyboxSaveTar } from '../src/test-image.js';

test('service logs: prefixed lines from the worker, --tail, task logs, stderr, -f, and shoal prints what docker prints', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 1 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1] = cluster.hosts;
  assert.ok(m1 && w1);
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeBusyboxSaveTar(join(dir, 'busybox.tar'), 'busybox:latest');
  await dockerOk(w1, ['load', '-i', join(dir, 'busybox.tar')]);
  await dockerOk(m1, ['node', 'update', '--availability', 'drain', m1.name]);

  const script = 'echo hello; sleep 0.2; echo oops >&2; sleep 0.2; echo second; while sleep 1; do [ -f /tmp/more ] && echo later && rm /tmp/more; done';
  await dockerOk(m1, ['service', 'create', '--detach', '--name', 'talk', '--no-resolve-image', '--stop-grace-period', '1s', 'busybox:latest', 'sh', '-c', script]);
  const taskId = await waitFor('a running task', async () => {
    const out = (await dockerOk(m1, ['service', 'ps', '--no-trunc', '--filter', 'desired-state=running', '--format', '{{.ID}} {{.CurrentState}}', 'talk'])).trim();
    return /^\w+ Running/.test(out) ? out.split(' ')[0] : undefined;
  }, { timeoutMs: 20_000 });
  assert.ok(taskId);
  const prefix = `talk.1.${taskId.slice(0, 12)}@${w1.name}    | `;

  const logs = await waitFor('three lines of logs', async () => {
    const result = await docker(m1, ['service', 'logs', 'talk']);
    return result.code === 0 && result.stdout.includes('second') ? result : undefined;
  }, { timeoutMs: 15_000 });
  assert.equal(logs.stdout, `${prefix}hello\n${prefix}second\n`);
  assert.equal(logs.stderr, `${prefix}oops\n`);

  const tail = await docker(m1, ['service', 'logs', '--tail', '1', 'talk']);
  assert.equal(tail.stdout + tail.stderr, `${prefix}second\n`);
  const byTask = await dockerOk(m1, ['service', 'logs', '--no-task-ids', taskId]);
  assert.equal(byTask, `talk.1@${w1.name}    | hello\ntalk.1@${w1.name}    | second\n`);
  const raw = await dockerOk(m1, ['service', 'logs', '--raw', 'talk']);
  assert.equal(raw, 'hello\nsecond\n');

  // shoal prints the same bytes for the same commands.
  for (const args of [['service', 'logs', 'talk'], ['service', 'logs', '--tail', '1', 'talk'], ['service', 'logs', '--raw', '-t', 'talk']]) {
    const ours = await shoalCli(m1, args);
    const theirs = await docker(m1, args);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout, theirs.stdout, args.join(' '));
    assert.equal(ours.stderr, theirs.stderr, args.join(' '));
  }

  // -f: a line written after the command started arrives; the command runs until killed.
  const follow = spawn('docker', ['service', 'logs', '-f', '--tail', '0', 'talk'], { env: { ...process.env, DOCKER_HOST: `unix://${m1.socket}` } });
  t.after(() => follow.kill('SIGKILL'));
  let followed = '';
  follow.stdout.setEncoding('utf8').on('data', (d: string) => (followed += d));
  const containerId = (await dockerOk(w1, ['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=talk'])).trim();
  await new Promise((resolve) => setTimeout(resolve, 500));
  await dockerOk(w1, ['exec', containerId, 'touch', '/tmp/more']).catch(async () => {
    // Without exec on this daemon, a scale-up gives a new task whose lines -f must pick up instead.
    await dockerOk(m1, ['service', 'scale', '--detach', 'talk=2']);
  });
  await waitFor('a followed line', async () => (/later|hello/.test(followed) ? true : undefined), { timeoutMs: 15_000 });
  assert.equal(follow.exitCode, null, 'service logs -f keeps running');

  // shoal scale and ls agree with docker's view.
  assert.equal(await cliOk(shoalCli, m1, ['service', 'scale', '--detach', 'talk=1']), 'talk scaled to 1\n');
  await waitFor('one task', async () => ((await dockerOk(m1, ['service', 'ls', '--format', '{{.Replicas}}'])).trim() === '1/1' ? true : undefined), { timeoutMs: 20_000 });
  assert.equal(await cliOk(shoalCli, m1, ['service', 'ls']), await dockerOk(m1, ['service', 'ls']));
  assert.equal(await cliOk(shoalCli, m1, ['service', 'rm', 'talk']), 'talk\n');
});

test('shoal run -d/ps/logs/stop/start/rm on a standalone container, with the same table and logs as docker', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 0 });
  const [h1] = cluster.hosts;
  assert.ok(h1);
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeBusyboxSaveTar(join(dir, 'busybox.tar'), 'busybox:latest');
  await dockerOk(h1, ['load', '-i', join(dir, 'busybox.tar')]);

  const id = (await cliOk(shoalCli, h1, ['run', '-d', '--name', 'c1', 'busybox:latest', 'sh', '-c', 'echo out; echo err >&2; sleep 300'])).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const format = ['--format', '{{.ID}} {{.Image}} {{.Command}} {{.Names}} {{.State}}'];
  assert.match(await cliOk(shoalCli, h1, ['ps', ...format]), new RegExp(`^${id.slice(0, 12)} busybox:latest "sh -c .{13}…" c1 running\n$`));
  assert.equal(await cliOk(shoalCli, h1, ['ps', '-a', ...format]), await dockerOk(h1, ['ps', '-a', ...format]));
  assert.equal(await cliOk(shoalCli, h1, ['ps', '-q']), await dockerOk(h1, ['ps', '-q']));
  const logs = await waitFor('both lines', async () => {
    const result = await shoalCli(h1, ['logs', 'c1']);
    return result.stdout === 'out\n' && result.stderr === 'err\n' ? result : undefined;
  }, { timeoutMs: 10_000 });
  const theirs = await docker(h1, ['logs', 'c1']);
  assert.deepEqual([logs.stdout, logs.stderr], [theirs.stdout, theirs.stderr]);

  assert.equal(await cliOk(shoalCli, h1, ['stop', '-t', '1', 'c1']), 'c1\n');
  assert.equal((await dockerOk(h1, ['inspect', '--format', '{{.State.Status}}', 'c1'])).trim(), 'exited');
  assert.equal(await cliOk(shoalCli, h1, ['start', 'c1']), 'c1\n');
  assert.equal((await cliOk(shoalCli, h1, ['inspect', '--format', '{{.State.Status}} {{.Name}}', 'c1'])).trim(), 'running /c1');
  assert.equal(await cliOk(shoalCli, h1, ['rm', '-f', 'c1']), 'c1\n');
  assert.equal(await cliOk(shoalCli, h1, ['ps', '-aq']), '');

  // In the foreground: output, then the container's exit status as shoal's own.
  const fg = await shoalCli(h1, ['run', '--name', 'c2', 'busybox:latest', 'sh', '-c', 'echo hi; exit 3']);
  assert.deepEqual([fg.code, fg.stdout], [3, 'hi\n']);
  const missing = await shoalCli(h1, ['rm', 'nosuch']);
  assert.equal(missing.stderr, (await docker(h1, ['rm', 'nosuch'])).stderr);
  await cliOk(shoalCli, h1, ['rm', '-f', 'c2']);
});

test('service logs include the tasks that completed: each replaced run of a service that exits keeps its lines until the task history drops it', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 0 });
  await formSwarm(cluster);
  const [m1] = cluster.hosts;
  assert.ok(m1);
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-logs-done-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeBusyboxSaveTar(join(dir, 'busybox.tar'), 'busybox:latest');
  await dockerOk(m1, ['load', '-i', join(dir, 'busybox.tar')]);

  // Each run prints its own container's hostname and completes; the orchestrator replaces it twice.
  await dockerOk(m1, ['service', 'create', '--detach', '--name', 'once', '--no-resolve-image', '--restart-delay', '100ms', '--restart-max-attempts', '2', 'busybox:latest', 'sh', '-c', 'echo run $(hostname)']);
  const tasks = await waitFor('three completed tasks', async () => {
    const rows = (await dockerOk(m1, ['service', 'ps', '--no-trunc', '--format', '{{.ID}} {{.CurrentState}}', 'once'])).trim().split('\n');
    return rows.length === 3 && rows.every((r) => / Complete /.test(r)) ? rows.map((r) => r.split(' ')[0]!) : undefined;
  }, { timeoutMs: 30_000 });
  const logs = await dockerOk(m1, ['service', 'logs', '--raw', 'once']);
  assert.equal(logs.split('\n').filter((l) => l.startsWith('run ')).length, 3, `a line from each completed task:\n${logs}`);
  for (const id of tasks) assert.match(await dockerOk(m1, ['service', 'logs', '--raw', id]), /^run \w+\n$/, `task ${id}`);
  assert.equal((await dockerOk(m1, ['ps', '-aq', '--filter', 'label=com.docker.swarm.service.name=once'])).trim().split('\n').length, 3, 'their containers are kept, exited');

  await dockerOk(m1, ['service', 'rm', 'once']);
  await waitFor('the containers go with the service', async () => ((await dockerOk(m1, ['ps', '-aq'])).trim() === '' ? true : undefined), { timeoutMs: 20_000 });
});
