// Restart policies of standalone containers with the real docker CLI (issue 17 item 7), as dockerd's
// restart manager: on-failure:N restarts a failing process N times; always restarts a process killed
// behind the daemon's back, but not one `docker stop` ended, until the daemon starts again (which
// starts it, as dockerd does, and the count over);
// unless-stopped stays stopped then; a running container is not removed without -f.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { docker, dockerCli, dockerOk, restartDaemon, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';

const inspect = async (host: HostLayout, name: string, format: string): Promise<string> => (await dockerOk(host, ['inspect', '--format', format, name])).trim();

test('docker run --restart: on-failure:2, always after a kill and after a daemon start, stop keeps it stopped, rm refused while running', async (t) => {
  const cluster = await withCluster(t, { managers: 1 });
  const host = cluster.hosts[0]!;
  await loadBusybox(dockerCli, [host]);
  t.after(() => docker(host, ['rm', '-f', 'failing', 'always', 'unless', 'looping']).then(() => undefined));

  await dockerOk(host, ['run', '-d', '--name', 'failing', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'echo run; exit 1']);
  await waitFor('two restarts, then exited', async () =>
    (await inspect(host, 'failing', '{{.RestartCount}} {{.State.Status}}')) === '2 exited' ? true : undefined, { timeoutMs: 20_000 });
  await sleep(1_500);
  assert.equal(await inspect(host, 'failing', '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}'), '2 exited 1 on-failure:2');
  assert.equal(await dockerOk(host, ['logs', 'failing']), 'run\nrun\nrun\n', 'three runs: the first and two restarts');

  await dockerOk(host, ['run', '-d', '--name', 'always', '--restart', 'always', 'busybox', 'sleep', '300']);
  await dockerOk(host, ['run', '-d', '--name', 'unless', '--restart', 'unless-stopped', 'busybox', 'sleep', '300']);
  const rm = await docker(host, ['rm', 'always']);
  assert.notEqual(rm.code, 0);
  assert.match(rm.stderr, /Error response from daemon: You cannot remove a running container [0-9a-f]{64}\. Stop the container before attempting removal or force remove/);

  // Killed behind the daemon's back: started again, counted.
  const pid = Number(await inspect(host, 'always', '{{.State.Pid}}'));
  process.kill(pid, 'SIGKILL');
  const again = await waitFor('always restarted after its process was killed', async () => {
    const [status, count, newPid] = (await inspect(host, 'always', '{{.State.Status}} {{.RestartCount}} {{.State.Pid}}')).split(' ');
    return status === 'running' && count === '1' && Number(newPid) !== pid ? Number(newPid) : undefined;
  }, { timeoutMs: 15_000 });
  assert.ok(again > 0);
  // Started again through the node's network side: it is back on the default bridge.
  const ip = await inspect(host, 'always', '{{.NetworkSettings.IPAddress}}');
  assert.match(ip, /^172\.17\.\d+\.\d+$/);
  assert.match(await dockerOk(host, ['exec', 'always', 'ip', '-4', 'addr', 'show', 'eth0']), new RegExp(`inet ${ip.replaceAll('.', '\\.')}/16`));

  // docker stop ends the restarts, for every policy.
  await dockerOk(host, ['stop', '-t', '1', 'always', 'unless']);
  await sleep(1_500);
  assert.equal(await inspect(host, 'always', '{{.State.Status}}'), 'exited');
  assert.equal(await inspect(host, 'unless', '{{.State.Status}}'), 'exited');

  // A daemon start restarts always (even stopped, as dockerd does) but not a stopped unless-stopped.
  await restartDaemon(host, { socketTimeoutMs: 30_000 });
  await waitFor('always running again after the daemon start', async () => ((await inspect(host, 'always', '{{.State.Status}}')) === 'running' ? true : undefined), { timeoutMs: 15_000 });
  assert.match(await dockerOk(host, ['exec', 'always', 'ip', '-4', 'addr', 'show', 'eth0']), /inet 172\.17\./, 'with its network');
  assert.equal(await inspect(host, 'always', '{{.RestartCount}}'), '0', "the daemon's start is a start: the count starts over");
  // docker kill ends the restarts too (dockerd marks the container stopped by the user for any signal).
  await dockerOk(host, ['kill', 'always']);
  await sleep(1_500);
  assert.equal(await inspect(host, 'always', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 137');
  assert.equal(await inspect(host, 'unless', '{{.State.Status}}'), 'exited');
  assert.equal(await inspect(host, 'failing', '{{.State.Status}} {{.RestartCount}}'), 'exited 2', 'on-failure past its count stays exited');

  // A user's start forgets the count.
  await dockerOk(host, ['start', 'unless']);
  assert.equal(await inspect(host, 'unless', '{{.State.Status}} {{.RestartCount}}'), 'running 0');
  assert.match(await dockerOk(host, ['exec', 'unless', 'ip', '-4', 'addr', 'show', 'eth0']), /inet 172\.17\./, 'with its network');

  // A crash loop waits longer each time; meanwhile it is restarting, as dockerd shows it, and rm needs -f.
  await dockerOk(host, ['run', '-d', '--name', 'looping', '--restart', 'always', 'busybox', 'sh', '-c', 'exit 2']);
  const status = await waitFor('looping shown restarting', async () => {
    const line = (await dockerOk(host, ['ps', '--filter', 'name=looping', '--format', '{{.Status}}'])).trim();
    return /^Restarting \(2\) /.test(line) ? line : undefined;
  }, { timeoutMs: 20_000, intervalMs: 50 });
  assert.match(status, /^Restarting \(2\) .* ago$/);
  const rmLooping = await docker(host, ['rm', 'looping']);
  assert.match(rmLooping.stderr, /You cannot (remove a restarting container [0-9a-f]{64}|remove a running container [0-9a-f]{64})\. Stop the container before attempting removal or force remove/);
  await dockerOk(host, ['stop', 'looping']);
  await sleep(1_500);
  assert.equal(await inspect(host, 'looping', '{{.State.Status}} {{.State.Restarting}}'), 'exited false');
});
