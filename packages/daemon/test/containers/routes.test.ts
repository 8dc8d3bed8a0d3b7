import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createEngineApi } from '../../src/api/index.js';
import { containerRoutes, parseStdcopy } from '../../src/containers/index.js';
import { send, targetOf, testSystem, type Target } from '../api/helpers.js';
import { FakeRuntime } from './fake-runtime.js';

async function serve(t: TestContext, runtime: FakeRuntime): Promise<Target> {
  const server = await createEngineApi({ system: testSystem(), routes: [containerRoutes(runtime)] }).listen({ kind: 'tcp', port: 0 });
  t.after(() => server.close());
  return targetOf(server.address);
}

const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });

test('create answers 201 {Id, Warnings}; a missing image is 404 with Docker message', async (t) => {
  const target = await serve(t, new FakeRuntime());
  const created = await send(target, 'POST', '/v1.41/containers/create?name=web', json({ Image: 'busybox', Cmd: ['sleep', '1'] }));
  assert.equal(created.status, 201);
  assert.match(created.body, /^\{"Id":"[0-9a-f]{64}","Warnings":\[\]\}\n$/);
  const missing = await send(target, 'POST', '/v1.41/containers/create', json({ Image: 'nosuch' }));
  assert.deepEqual([missing.status, JSON.parse(missing.body)], [404, { message: 'No such image: nosuch:latest' }]);
  const inspect = await send(target, 'GET', '/v1.41/containers/nosuch/json');
  assert.deepEqual([inspect.status, JSON.parse(inspect.body)], [404, { message: 'No such container: nosuch' }]);
});

test('wait?condition=next-exit sends its headers at once and the exit code when the container exits', async (t) => {
  const runtime = new FakeRuntime();
  const target = await serve(t, runtime);
  const { Id: id } = JSON.parse((await send(target, 'POST', '/v1.41/containers/create?name=web', json({ Image: 'busybox' }))).body) as { Id: string };
  const body = await new Promise<string>((resolve, reject) => {
    const req = request({ ...target, method: 'POST', path: `/v1.41/containers/${id}/wait?condition=next-exit`, agent: false, timeout: 5_000 }, (res) => {
      assert.equal(res.statusCode, 200);
      // Headers arrived while the container has not even started: start it and let it exit.
      void send(target, 'POST', `/v1.41/containers/${id}/start`).then((r) => {
        assert.equal(r.status, 204);
        runtime.exit(id, 7);
      });
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    });
    req.on('error', reject);
    req.end();
  });
  assert.deepEqual(JSON.parse(body), { Error: null, StatusCode: 7 });
  assert.equal((await send(target, 'POST', `/v1.41/containers/${id}/wait`)).body, '{"Error":null,"StatusCode":7}\n', 'not-running answers at once');
});

test('start of a running container is 304; kill of a stopped one is 409; rm -f is 204', async (t) => {
  const runtime = new FakeRuntime();
  const target = await serve(t, runtime);
  await send(target, 'POST', '/v1.41/containers/create?name=web', json({ Image: 'busybox' }));
  assert.equal((await send(target, 'POST', '/v1.41/containers/web/start')).status, 204);
  assert.equal((await send(target, 'POST', '/v1.41/containers/web/start')).status, 304);
  assert.equal((await send(target, 'POST', '/v1.41/containers/web/stop')).status, 204);
  const kill = await send(target, 'POST', '/v1.41/containers/web/kill');
  assert.equal(kill.status, 409);
  assert.match(JSON.parse(kill.body).message, /^Cannot kill container: web: Container [0-9a-f]{64} is not running$/);
  assert.equal((await send(target, 'DELETE', '/v1.41/containers/web?force=1')).status, 204);
  assert.equal((await send(target, 'GET', '/v1.41/containers/json?all=1')).body, '[]\n');
});

test('ps lists running containers by default, all with ?all=1, and filters by name and status', async (t) => {
  const runtime = new FakeRuntime();
  const target = await serve(t, runtime);
  for (const name of ['web', 'db']) await send(target, 'POST', `/v1.41/containers/create?name=${name}`, json({ Image: 'busybox' }));
  await send(target, 'POST', '/v1.41/containers/web/start');
  const names = async (q: string) => (JSON.parse((await send(target, 'GET', `/v1.41/containers/json${q}`)).body) as { Names: string[] }[]).map((c) => c.Names[0]).sort();
  assert.deepEqual(await names(''), ['/web']);
  assert.deepEqual(await names('?all=1'), ['/db', '/web']);
  assert.deepEqual(await names(`?filters=${encodeURIComponent('{"status":{"created":true}}')}`), ['/db']);
  assert.deepEqual(await names(`?all=1&filters=${encodeURIComponent('{"name":{"d":true}}')}`), ['/db']);
});

test('logs are stdcopy frames per stream, with timestamps on request; no stream chosen is 400', async (t) => {
  const runtime = new FakeRuntime();
  const target = await serve(t, runtime);
  await send(target, 'POST', '/v1.41/containers/create?name=web', json({ Image: 'busybox' }));
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const req = request({ ...target, method: 'GET', path: '/v1.41/containers/web/logs?stdout=1&stderr=1&timestamps=1', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    });
    req.on('error', reject);
    req.end();
  });
  assert.deepEqual(parseStdcopy(raw).frames.map((f) => [f.stream, f.payload.toString()]), [
    ['stdout', '2030-01-01T00:00:00.000Z hello\n'],
    ['stderr', '2030-01-01T00:00:00.001Z oops\n'],
  ]);
  const none = await send(target, 'GET', '/v1.41/containers/web/logs');
  assert.deepEqual([none.status, JSON.parse(none.body).message], [400, 'Bad parameters: you must choose at least one stream']);
});

test('kill answers once a SIGKILL shows as an exit; other signals at once; bad signals and missing containers as dockerd', async (t) => {
  const runtime = new FakeRuntime();
  const target = await serve(t, runtime);
  const { Id: id } = JSON.parse((await send(target, 'POST', '/v1.41/containers/create?name=web', json({ Image: 'busybox' }))).body) as { Id: string };
  await send(target, 'POST', '/v1.41/containers/web/start');
  assert.equal((await send(target, 'POST', '/v1.41/containers/web/kill?signal=hup')).status, 204);
  assert.equal((await send(target, 'POST', '/v1.41/containers/web/kill?signal=SIGUSR1')).status, 204);
  assert.equal((await send(target, 'POST', '/v1.41/containers/web/kill?signal=RTMIN%2B2')).status, 204);
  assert.deepEqual(runtime.kills, [`${id} 1`, `${id} 10`, `${id} 36`]);
  const bad = await send(target, 'POST', '/v1.41/containers/web/kill?signal=NOPE');
  assert.deepEqual([bad.status, JSON.parse(bad.body)], [400, { message: 'Invalid signal: NOPE' }]);
  const zero = await send(target, 'POST', '/v1.41/containers/web/kill?signal=0');
  assert.deepEqual([zero.status, JSON.parse(zero.body)], [400, { message: 'Invalid signal: 0' }]);
  const unknown = await send(target, 'POST', '/v1.41/containers/web/kill?signal=99');
  assert.deepEqual([unknown.status, JSON.parse(unknown.body)], [500, { message: 'Cannot kill container: web: The linux daemon does not support signal 99' }]);
  const missing = await send(target, 'POST', '/v1.41/containers/nosuch/kill');
  assert.deepEqual([missing.status, JSON.parse(missing.body)], [404, { message: 'Cannot kill container: nosuch: No such container: nosuch' }]);
  assert.equal(runtime.get(id)!.state.status, 'running', 'only SIGKILL ends the fake container');

  // The fake's container exits 20 ms after its SIGKILL: the answer waits for it.
  assert.equal((await send(target, 'POST', '/v1.41/containers/web/kill')).status, 204);
  const state = JSON.parse((await send(target, 'GET', '/v1.41/containers/web/json')).body).State;
  assert.deepEqual([state.Status, state.Running, state.ExitCode], ['exited', false, 137]);
});

test('containers created without a name get distinct generated names: three hundred creates, no 409', async (t) => {
  const target = await serve(t, new FakeRuntime());
  for (let i = 0; i < 300; i++) {
    const created = await send(target, 'POST', '/v1.41/containers/create', json({ Image: 'busybox' }));
    assert.equal(created.status, 201, created.body);
  }
  const names = (JSON.parse((await send(target, 'GET', '/v1.41/containers/json?all=1')).body) as { Names: string[] }[]).map((c) => c.Names[0]!);
  assert.equal(new Set(names).size, 300);
  for (const name of names) assert.match(name, /^\/[a-z]+_[a-z]+\d?$/);
});

test('inspect echoes every HostConfig field dockerd 20.10 echoes, with the console size the client sent', async (t) => {
  const target = await serve(t, new FakeRuntime());
  const { Id: id } = JSON.parse((await send(target, 'POST', '/v1.41/containers/create', json({ Image: 'busybox', Tty: true, HostConfig: { ConsoleSize: [24, 80] } }))).body) as { Id: string };
  const hostConfig = (JSON.parse((await send(target, 'GET', `/v1.41/containers/${id}/json`)).body) as { HostConfig: Record<string, unknown> }).HostConfig;
  // dockerd 20.10's HostConfig for `docker run` (reference trace 06c-inspect), in its order.
  const dockerd =
    'Binds ContainerIDFile LogConfig NetworkMode PortBindings RestartPolicy AutoRemove VolumeDriver VolumesFrom CapAdd CapDrop CgroupnsMode Dns DnsOptions DnsSearch ExtraHosts GroupAdd IpcMode Cgroup Links OomScoreAdj PidMode Privileged PublishAllPorts ReadonlyRootfs SecurityOpt UTSMode UsernsMode ShmSize Runtime ConsoleSize Isolation CpuShares Memory NanoCpus CgroupParent BlkioWeight BlkioWeightDevice BlkioDeviceReadBps BlkioDeviceWriteBps BlkioDeviceReadIOps BlkioDeviceWriteIOps CpuPeriod CpuQuota CpuRealtimePeriod CpuRealtimeRuntime CpusetCpus CpusetMems Devices DeviceCgroupRules DeviceRequests KernelMemory KernelMemoryTCP MemoryReservation MemorySwap MemorySwappiness OomKillDisable PidsLimit Ulimits CpuCount CpuPercent IOMaximumIOps IOMaximumBandwidth MaskedPaths ReadonlyPaths';
  assert.deepEqual(Object.keys(hostConfig), dockerd.split(' '));
  assert.deepEqual(hostConfig['ConsoleSize'], [24, 80]);
  assert.equal(hostConfig['PidsLimit'], null);
});

test('logs since and until keep the lines inside the window, both ends inclusive; a malformed time is 400', async (t) => {
  const target = await serve(t, new FakeRuntime());
  await send(target, 'POST', '/v1.41/containers/create?name=web', json({ Image: 'busybox' }));
  const lines = async (query: string) => {
    const reply = await send(target, 'GET', `/v1.41/containers/web/logs?stdout=1&stderr=1${query}`);
    return parseStdcopy(Buffer.from(reply.body, 'latin1')).frames.map((f) => f.payload.toString());
  };
  const t0 = Date.parse('2030-01-01T00:00:00Z') / 1000;
  assert.deepEqual(await lines(''), ['hello\n', 'oops\n']);
  assert.deepEqual(await lines(`&since=${t0}.000000001`), ['oops\n']);
  assert.deepEqual(await lines(`&since=${t0}.001000000`), ['oops\n']);
  assert.deepEqual(await lines(`&until=${t0}`), ['hello\n']);
  assert.deepEqual(await lines(`&since=${t0}&until=${t0}.001`), ['hello\n', 'oops\n']);
  assert.deepEqual(await lines(`&since=${t0 + 1}`), []);
  const bad = await send(target, 'GET', '/v1.41/containers/web/logs?stdout=1&since=yesterday');
  assert.deepEqual([bad.status, JSON.parse(bad.body).message], [400, 'invalid value for since: yesterday: expected a Unix timestamp (seconds[.nanoseconds])']);
  const details = await send(target, 'GET', '/v1.41/containers/web/logs?stdout=1&details=1');
  assert.equal(details.status, 400);
});

test('restart policies: dockerd answers to bad ones (400), a policy with --rm is refused, inspect shows the policy and RestartCount', async (t) => {
  const target = await serve(t, new FakeRuntime());
  const create = (policy: unknown, autoRemove = false) => send(target, 'POST', '/v1.41/containers/create', json({ Image: 'busybox', HostConfig: { RestartPolicy: policy, AutoRemove: autoRemove } }));
  const refusals: [unknown, string][] = [
    [{ Name: 'sometimes' }, "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"],
    [{ Name: 'always', MaximumRetryCount: 3 }, "invalid restart policy: maximum retry count can only be used with 'on-failure'"],
    [{ Name: 'no', MaximumRetryCount: -1 }, "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative"],
    [{ Name: 'on-failure', MaximumRetryCount: -1 }, 'invalid restart policy: maximum retry count cannot be negative'],
  ];
  for (const [policy, message] of refusals) {
    const r = await create(policy);
    assert.deepEqual([r.status, JSON.parse(r.body)], [400, { message }], JSON.stringify(policy));
  }
  const withRm = await create({ Name: 'always' }, true);
  assert.deepEqual([withRm.status, JSON.parse(withRm.body)], [400, { message: "can't create 'AutoRemove' container with restart policy" }]);
  assert.equal((await create({ Name: 'no' }, true)).status, 201);
  const { Id: id } = JSON.parse((await create({ Name: 'on-failure', MaximumRetryCount: 2 })).body) as { Id: string };
  const inspect = JSON.parse((await send(target, 'GET', `/v1.41/containers/${id}/json`)).body) as { RestartCount: number; HostConfig: { RestartPolicy: unknown } };
  assert.deepEqual(inspect.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
  assert.equal(inspect.RestartCount, 0);
});

test("log drivers: json-file passes, one dockerd does not know gets dockerd's 400, one it knows but shoal does not run is refused as unsupported", async (t) => {
  const target = await serve(t, new FakeRuntime());
  const create = (LogConfig: unknown) => send(target, 'POST', '/v1.41/containers/create', json({ Image: 'busybox', HostConfig: { LogConfig } }));
  assert.equal((await create({ Type: 'json-file', Config: {} })).status, 201);
  assert.equal((await create({ Type: '', Config: {} })).status, 201);
  const unknown = await create({ Type: 'nosuchdriver', Config: {} });
  assert.deepEqual([unknown.status, JSON.parse(unknown.body)], [400, { message: "logger: no log driver named 'nosuchdriver' is registered" }]);
  const mode = await create({ Type: 'nosuchdriver', Config: { mode: 'sometimes' } });
  assert.deepEqual([mode.status, JSON.parse(mode.body)], [400, { message: 'logger: logging mode not supported: sometimes' }]);
  const syslog = await create({ Type: 'syslog', Config: {} });
  assert.equal(syslog.status, 400);
  assert.match((JSON.parse(syslog.body) as { message: string }).message, /^shoal does not support HostConfig\.LogConfig \(/);
});

test('--group-add is kept as the client sent it and shown by inspect; without it GroupAdd is null, as dockerd shows it', async (t) => {
  const target = await serve(t, new FakeRuntime());
  const groupAdd = async (body: Record<string, unknown>): Promise<unknown> => {
    const { Id } = JSON.parse((await send(target, 'POST', '/v1.41/containers/create', json({ Image: 'busybox', HostConfig: body }))).body) as { Id: string };
    return (JSON.parse((await send(target, 'GET', `/v1.41/containers/${Id}/json`)).body) as { HostConfig: { GroupAdd: unknown } }).HostConfig.GroupAdd;
  };
  assert.deepEqual(await groupAdd({ GroupAdd: ['wheel', '4242'] }), ['wheel', '4242']);
  assert.equal(await groupAdd({ GroupAdd: null }), null);
});

test('a container waiting for its restart shows as dockerd shows it: restarting, Running, "Restarting (1) … ago", listed by ps without -a', async (t) => {
  const runtime = new FakeRuntime();
  const target = await serve(t, runtime);
  const { Id: id } = JSON.parse((await send(target, 'POST', '/v1.41/containers/create?name=looping', json({ Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'always' } } }))).body) as { Id: string };
  await runtime.start(id);
  runtime.exit(id, 1);
  runtime.records.set(id, { ...runtime.records.get(id)!, restarting: true, restartCount: 1 });
  const inspect = JSON.parse((await send(target, 'GET', `/v1.41/containers/${id}/json`)).body) as { State: Record<string, unknown>; RestartCount: number };
  assert.deepEqual([inspect.State['Status'], inspect.State['Running'], inspect.State['Restarting'], inspect.State['ExitCode'], inspect.RestartCount], ['restarting', true, true, 1, 1]);
  const ps = JSON.parse((await send(target, 'GET', '/v1.41/containers/json')).body) as { State: string; Status: string }[];
  assert.equal(ps.length, 1);
  assert.equal(ps[0]!.State, 'restarting');
  assert.match(ps[0]!.Status, /^Restarting \(1\) .* ago$/);
  const filtered = JSON.parse((await send(target, 'GET', `/v1.41/containers/json?filters=${encodeURIComponent('{"status":{"restarting":true}}')}`)).body) as unknown[];
  assert.equal(filtered.length, 1);
});
