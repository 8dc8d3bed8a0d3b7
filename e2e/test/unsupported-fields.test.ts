// Nothing accepted and then ignored, with the real docker CLI on a one-node swarm: flags whose request
// fields shoal does not act on (volumes, limits, health checks, jobs, log options…)
// fail with a 400 naming the field and leave nothing behind; the defaults the CLI always sends, and
// flags that ask for what shoal does anyway, still work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { docker, dockerCli, dockerOk, formSwarm, withCluster, type HostLayout } from '../src/index.js';
import { callEngine } from '../src/faults/engine.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';

async function refused(host: HostLayout, args: readonly string[], field: string): Promise<void> {
  const r = await docker(host, args);
  assert.notEqual(r.code, 0, `docker ${args.join(' ')} should fail: ${r.stdout}`);
  assert.match(r.stderr, new RegExp(`Error response from daemon: shoal does not support ${field.replaceAll('.', '\\.')} \\(.+\\) yet`), `docker ${args.join(' ')}`);
}

test('docker run/exec/logs and service create/update refuse what shoal does not act on, and keep nothing of it', async (t) => {
  const cluster = await withCluster(t, { managers: 1 });
  await formSwarm(cluster);
  const host = cluster.hosts[0]!;
  await loadBusybox(dockerCli, [host]);

  // Standalone containers: each refusal names the field, and no container is created.
  await refused(host, ['run', '--rm', '-v', '/tmp:/data', 'busybox', 'true'], 'HostConfig.Binds');
  await refused(host, ['run', '--rm', '-v', '/data', 'busybox', 'true'], 'Volumes');
  await refused(host, ['run', '--rm', '--mount', 'type=tmpfs,dst=/data', 'busybox', 'true'], 'HostConfig.Mounts');
  await refused(host, ['run', '--rm', '-m', '64m', 'busybox', 'true'], 'HostConfig.Memory');
  await refused(host, ['run', '--rm', '--cpus', '0.5', 'busybox', 'true'], 'HostConfig.NanoCpus');
  await refused(host, ['run', '--rm', '--health-cmd', 'true', 'busybox', 'true'], 'Healthcheck');
  await refused(host, ['run', '--rm', '--cap-add', 'NET_ADMIN', 'busybox', 'true'], 'HostConfig.CapAdd');
  await refused(host, ['run', '--rm', '--log-opt', 'max-size=1m', 'busybox', 'true'], 'HostConfig.LogConfig');
  await refused(host, ['run', '--rm', '--log-driver', 'syslog', 'busybox', 'true'], 'HostConfig.LogConfig');
  // A driver dockerd does not know either gets dockerd's own answer.
  const noDriver = await docker(host, ['run', '--rm', '--log-driver', 'nosuchdriver', 'busybox', 'true']);
  assert.match(noDriver.stderr, /Error response from daemon: logger: no log driver named 'nosuchdriver' is registered/);
  await refused(host, ['run', '--rm', '--add-host', 'db:192.0.2.1', 'busybox', 'true'], 'HostConfig.ExtraHosts');
  await refused(host, ['run', '--rm', '--platform', 'linux/arm64', 'busybox', 'true'], 'the platform parameter');
  assert.equal((await dockerOk(host, ['ps', '-aq'])).trim(), '', 'a refused run leaves no container');

  // What the CLI sends by default, and flags asking for what shoal does anyway, are accepted.
  assert.equal(await dockerOk(host, ['run', '--rm', '--restart', 'no', '--log-driver', 'json-file', '--no-healthcheck', 'busybox', 'echo', 'ok']), 'ok\n');
  await dockerOk(host, ['run', '-d', '--name', 'sleeper', 'busybox', 'sleep', '300']);
  await refused(host, ['exec', '--privileged', 'sleeper', 'true'], 'Privileged');
  assert.equal(await dockerOk(host, ['exec', 'sleeper', 'echo', 'in']), 'in\n');
  const logs = await docker(host, ['logs', '--details', 'sleeper']);
  assert.match(logs.stderr, /shoal does not support the details parameter \(log details \(--details\)\) yet/);
  await dockerOk(host, ['rm', '-f', 'sleeper']);

  // The raw API answers 400 with Docker's {"message"} body.
  const raw = await callEngine(host.socket, 'POST', '/containers/create', { Image: 'busybox', HostConfig: { Memory: 1 << 26 } }, 10_000);
  assert.equal(raw.status, 400);
  assert.deepEqual(raw.body, { message: 'shoal does not support HostConfig.Memory (resource limits (--memory)) yet' });
  // Restart policies are acted on; with --rm dockerd refuses one (the CLI already does, before asking).
  const rmRestart = await callEngine(host.socket, 'POST', '/containers/create', { Image: 'busybox', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } }, 10_000);
  assert.deepEqual([rmRestart.status, rmRestart.body], [400, { message: "can't create 'AutoRemove' container with restart policy" }]);

  // Services: refused at create (nothing stored) and at update (the spec stays as it was).
  const svc = ['service', 'create', '--detach', '--no-resolve-image'];
  await refused(host, [...svc, '--name', 'm', '--mount', 'type=volume,src=data,dst=/data', 'busybox', 'sleep', '300'], 'TaskTemplate.ContainerSpec.Mounts');
  await refused(host, [...svc, '--name', 'l', '--limit-memory', '64m', 'busybox', 'sleep', '300'], 'TaskTemplate.Resources.Limits');
  await refused(host, [...svc, '--name', 'h', '--health-cmd', 'true', 'busybox', 'sleep', '300'], 'TaskTemplate.ContainerSpec.Healthcheck');
  await refused(host, [...svc, '--name', 'j', '--mode', 'replicated-job', 'busybox', 'true'], 'Mode.ReplicatedJob');
  await refused(host, [...svc, '--name', 'g', '--log-driver', 'syslog', 'busybox', 'sleep', '300'], 'TaskTemplate.LogDriver');
  await refused(host, [...svc, '--name', 'r', '--update-max-failure-ratio', '0.5', 'busybox', 'sleep', '300'], 'UpdateConfig.MaxFailureRatio');
  assert.equal((await dockerOk(host, ['service', 'ls', '-q'])).trim(), '', 'a refused create stores no service');

  await dockerOk(host, [...svc, '--name', 'web', '--no-healthcheck', 'busybox', 'sleep', '300']);
  const before = await dockerOk(host, ['service', 'inspect', '--format', '{{json .Spec}} {{.Version.Index}}', 'web']);
  await refused(host, ['service', 'update', '--detach', '--limit-cpu', '0.5', 'web'], 'TaskTemplate.Resources.Limits');
  await refused(host, ['service', 'update', '--detach', '--mount-add', 'type=bind,src=/tmp,dst=/x', 'web'], 'TaskTemplate.ContainerSpec.Mounts');
  assert.equal(await dockerOk(host, ['service', 'inspect', '--format', '{{json .Spec}} {{.Version.Index}}', 'web']), before, 'a refused update changes nothing');
  // An update the CLI makes from the spec it read back (with every default it inserted) is accepted.
  await dockerOk(host, ['service', 'update', '--detach', '--env-add', 'A=1', 'web']);
  assert.equal((await dockerOk(host, ['service', 'inspect', '--format', '{{.Spec.TaskTemplate.ContainerSpec.Env}}', 'web'])).trim(), '[A=1]');

  // The swarm's own settings.
  await refused(host, ['swarm', 'update', '--autolock'], 'EncryptionConfig.AutoLockManagers');
  await refused(host, ['swarm', 'update', '--snapshot-interval', '500'], 'Raft.SnapshotInterval');
  await dockerOk(host, ['swarm', 'update', '--task-history-limit', '3']);
});
