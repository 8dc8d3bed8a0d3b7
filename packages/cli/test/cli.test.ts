// Runs bin/shoal as a user would, against a fake Engine API, and checks the exact requests
// it sends and what it prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeEngine, type Routes } from './fake-engine.js';
import * as traces from './fixtures/traces.js';
import * as golden from './fixtures/goldens.js';

const SHOAL = fileURLToPath(new URL('../../../../bin/shoal', import.meta.url));
const NODE_ID = '4vny26m405wgeyjl1z954yu8l';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function shoal(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SHOAL, ...args], { env: { ...process.env, DOCKER_HOST: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shoal ${args.join(' ')} did not finish within 10 s`));
    }, 10_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function withEngine(routes: Routes, t: { after(fn: () => Promise<void>): void }) {
  const engine = await startFakeEngine(routes);
  t.after(() => engine.close());
  return { engine, env: { DOCKER_HOST: `unix://${engine.socketPath}` } };
}

test('swarm init sends docker\'s body and prints the worker join command', async (t) => {
  const { engine, env } = await withEngine(
    { 'POST /swarm/init': { json: NODE_ID }, [`GET /nodes/${NODE_ID}`]: { json: traces.NODE }, 'GET /swarm': { json: traces.SWARM } },
    t,
  );
  const result = await shoal(
    ['swarm', 'init', '--advertise-addr', '198.51.100.1', '--data-path-port', '4790', '--default-addr-pool', '10.10.0.0/16',
      '--default-addr-pool', '10.20.0.0/16', '--default-addr-pool-mask-length', '26', '--availability', 'drain',
      '--task-history-limit', '3', '--cert-expiry', '48h', '--dispatcher-heartbeat', '7s', '--force-new-cluster'],
    env,
  );
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  assert.deepEqual(engine.requests, [
    {
      method: 'POST',
      path: '/v1.41/swarm/init',
      query: {},
      // Byte-for-byte what docker 28 sent for the same flags.
      body: {
        ListenAddr: '0.0.0.0:2377', AdvertiseAddr: '198.51.100.1', DataPathAddr: '', DataPathPort: 4790, ForceNewCluster: true,
        Spec: {
          Labels: null, Orchestration: { TaskHistoryRetentionLimit: 3 }, Raft: { ElectionTick: 0, HeartbeatTick: 0 },
          Dispatcher: { HeartbeatPeriod: 7000000000 }, CAConfig: { NodeCertExpiry: 172800000000000 }, TaskDefaults: {},
          EncryptionConfig: { AutoLockManagers: false },
        },
        AutoLockManagers: false, Availability: 'drain', DefaultAddrPool: ['10.10.0.0/16', '10.20.0.0/16'], SubnetSize: 26,
      },
    },
    { method: 'GET', path: `/v1.41/nodes/${NODE_ID}`, query: {}, body: null },
    { method: 'GET', path: '/v1.41/swarm', query: {}, body: null },
  ]);
  assert.equal(
    result.stdout,
    `Swarm initialized: current node (${NODE_ID}) is now a manager.\n\n` +
      'To add a worker to this swarm, run the following command:\n\n' +
      `    shoal swarm join --token ${traces.SWARM.JoinTokens.Worker} 127.0.0.1:2377\n\n` +
      "To add a manager to this swarm, run 'shoal swarm join-token manager' and follow the instructions.\n",
  );
});

test('swarm join-token reads /swarm, /info, /nodes/{id}, /swarm; -q prints only the token', async (t) => {
  const { engine, env } = await withEngine(
    { 'GET /swarm': { json: traces.SWARM }, 'GET /info': { json: traces.INFO }, [`GET /nodes/${NODE_ID}`]: { json: traces.NODE } },
    t,
  );
  const result = await shoal(['swarm', 'join-token', 'worker'], env);
  assert.equal(result.code, 0);
  assert.deepEqual(
    engine.requests.map((r) => `${r.method} ${r.path}`),
    ['GET /v1.41/swarm', 'GET /v1.41/info', `GET /v1.41/nodes/${NODE_ID}`, 'GET /v1.41/swarm'],
  );
  assert.equal(
    result.stdout,
    `To add a worker to this swarm, run the following command:\n\n    shoal swarm join --token ${traces.SWARM.JoinTokens.Worker} 127.0.0.1:2377\n\n`,
  );
  const quiet = await shoal(['swarm', 'join-token', '-q', 'manager'], env);
  assert.equal(quiet.stdout, `${traces.SWARM.JoinTokens.Manager}\n`);
  const bad = await shoal(['swarm', 'join-token', 'bogus'], env);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'unknown role bogus\n');
});

test('swarm join-token --rotate posts the unchanged spec with only the worker rotation flag set', async (t) => {
  const { engine, env } = await withEngine(
    { 'GET /swarm': { json: traces.SWARM }, 'POST /swarm/update': {}, 'GET /info': { json: traces.INFO }, [`GET /nodes/${NODE_ID}`]: { json: traces.NODE } },
    t,
  );
  const result = await shoal(['swarm', 'join-token', '--rotate', 'worker'], env);
  assert.equal(result.code, 0);
  assert.ok(result.stdout.startsWith('Successfully rotated worker join token.\n\nTo add a worker'));
  const update = engine.requests[1];
  assert.equal(update?.path, '/v1.41/swarm/update');
  assert.deepEqual(update?.query, { rotateManagerToken: 'false', rotateManagerUnlockKey: 'false', rotateWorkerToken: 'true', version: '10' });
  assert.deepEqual(update?.body, traces.SWARM.Spec);
});

test('node ls lists nodes then reads /info for the * marker; -q skips /info', async (t) => {
  const { engine, env } = await withEngine({ 'GET /nodes': { json: traces.NODES }, 'GET /info': { json: traces.INFO } }, t);
  const result = await shoal(['node', 'ls', '--filter', 'role=manager'], env);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, golden.NODE_LS);
  assert.deepEqual(engine.requests[0], { method: 'GET', path: '/v1.41/nodes', query: { filters: '{"role":{"manager":true}}' }, body: null });
  assert.equal(engine.requests[1]?.path, '/v1.41/info');
  engine.requests.length = 0;
  const quiet = await shoal(['node', 'ls', '-q'], env);
  assert.equal(quiet.stdout, `${NODE_ID}\n`);
  assert.deepEqual(engine.requests.map((r) => r.path), ['/v1.41/nodes']);
});

test('node update --label-add posts the whole spec with ?version=N and prints the node', async (t) => {
  const { engine, env } = await withEngine({ [`GET /nodes/${NODE_ID}`]: { json: traces.NODE }, [`POST /nodes/${NODE_ID}/update`]: {} }, t);
  const result = await shoal(['node', 'update', '--label-add', 'trace=1', '--label-add', 'zone', NODE_ID], env);
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `${NODE_ID}\n`);
  assert.deepEqual(engine.requests, [
    { method: 'GET', path: `/v1.41/nodes/${NODE_ID}`, query: {}, body: null },
    {
      method: 'POST',
      path: `/v1.41/nodes/${NODE_ID}/update`,
      query: { version: '18' },
      body: { Labels: { trace: '1', zone: '' }, Role: 'manager', Availability: 'active' },
    },
  ]);
});

test('node update --label-rm of a missing label fails on the client without posting', async (t) => {
  const { engine, env } = await withEngine({ [`GET /nodes/${NODE_ID}`]: { json: traces.NODE } }, t);
  const result = await shoal(['node', 'update', '--label-rm', 'nope', NODE_ID], env);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, "key nope doesn't exist in node's labels\n");
  assert.deepEqual(engine.requests.map((r) => r.method), ['GET']);
});

test('a daemon error is printed as "Error response from daemon: <message>" with exit code 1', async (t) => {
  const { env } = await withEngine(
    {
      'POST /swarm/init': {
        status: 503,
        json: { message: 'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.' },
      },
      'GET /nodes/nosuchnode': { status: 404, json: { message: 'node nosuchnode not found' } },
      'GET /nodes/plain': { status: 500, text: 'raw failure\n', contentType: 'text/plain' },
    },
    t,
  );
  const init = await shoal(['swarm', 'init'], env);
  assert.equal(init.code, 1);
  assert.equal(init.stdout, '');
  assert.equal(
    init.stderr,
    'Error response from daemon: This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.\n',
  );
  const inspect = await shoal(['node', 'inspect', 'nosuchnode'], env);
  assert.equal(inspect.code, 1);
  assert.equal(inspect.stdout, '[]\n');
  assert.equal(inspect.stderr, 'Error response from daemon: node nosuchnode not found\n');
  const plain = await shoal(['node', 'inspect', 'plain'], env);
  assert.equal(plain.stderr, 'Error response from daemon: raw failure\n');
});

test('versions: the CLI uses min(1.41, Api-Version) in every path, -H overrides DOCKER_HOST', async (t) => {
  const engine = await startFakeEngine({ 'GET /swarm': { json: traces.SWARM } }, '1.30');
  t.after(() => engine.close());
  const result = await shoal(['-H', `unix://${engine.socketPath}`, 'swarm', 'join-token', '-q', 'worker'], { DOCKER_HOST: 'unix:///nonexistent.sock' });
  assert.equal(result.code, 0);
  assert.deepEqual(engine.requests.map((r) => r.path), ['/v1.30/swarm']);
});

test('an unreachable socket gives docker\'s "Cannot connect" message', async () => {
  const result = await shoal(['node', 'ls'], { DOCKER_HOST: 'unix:///nonexistent/shoal.sock' });
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'Cannot connect to the shoal daemon at unix:///nonexistent/shoal.sock. Is the shoal daemon running?\n');
});

test('--help lists the command tree; an unknown command fails clearly with a non-zero exit', async () => {
  const help = await shoal(['--help']);
  assert.equal(help.code, 0);
  for (const command of ['version', 'info', 'swarm', 'node', 'network', 'service']) {
    assert.match(help.stdout, new RegExp(`shoal ${command}\\b`));
  }
  const nodeHelp = await shoal(['node', '--help']);
  for (const sub of ['ls', 'inspect', 'promote', 'demote', 'update', 'rm', 'ps']) assert.match(nodeHelp.stdout, new RegExp(`shoal node ${sub}\\b`));
  const unknown = await shoal(['frobnicate']);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stdout, '');
  assert.equal(unknown.stderr, "shoal: unknown command: shoal frobnicate\n\nRun 'shoal --help' for more information\n");
  const flag = await shoal(['node', 'ls', '--bogus']);
  assert.equal(flag.code, 125);
  assert.match(flag.stderr, /^unknown flag: --bogus\n/);
});

test('service create resolves networks client-side and sends docker\'s spec; the command keeps its own flags', async (t) => {
  const { engine, env } = await withEngine(
    { 'GET /networks/test-net': { json: { Name: 'test-net', Id: 'zl5dqa21ylx9abzsygvj56abr' } }, 'POST /services/create': { status: 201, json: { ID: 'woj2sl8g0ikglp92919izdzf1' } } },
    t,
  );
  const result = await shoal(
    ['service', 'create', '--name', 'trace-web', '--replicas', '2', '--network', 'test-net', '--publish', 'published=8089,target=80',
      '--no-resolve-image', '--detach', 'busybox:latest', 'httpd', '-f', '-p', '80'],
    env,
  );
  assert.equal(result.stderr, '');
  assert.equal(result.stdout, 'woj2sl8g0ikglp92919izdzf1\n');
  assert.deepEqual(engine.requests[0], { method: 'GET', path: '/v1.41/networks/test-net', query: { scope: 'swarm' }, body: null });
  // Trace 05a-svc-create-detach.
  assert.deepEqual(engine.requests[1]?.body, {
    Name: 'trace-web',
    Labels: {},
    TaskTemplate: {
      ContainerSpec: { Image: 'busybox:latest', Args: ['httpd', '-f', '-p', '80'], Init: false, DNSConfig: {} },
      Resources: { Limits: {}, Reservations: {} },
      Placement: {},
      Networks: [{ Target: 'zl5dqa21ylx9abzsygvj56abr' }],
      ForceUpdate: 0,
    },
    Mode: { Replicated: { Replicas: 2 } },
    EndpointSpec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8089, PublishMode: 'ingress' }] },
  });
});

test('network create sends docker\'s body (CheckDuplicate at API 1.41) and prints the ID', async (t) => {
  const { engine, env } = await withEngine({ 'POST /networks/create': { status: 201, json: { Id: 'n7z0ayng8vg3aq4dwrg8r6jvq', Warning: '' } } }, t);
  const result = await shoal(['network', 'create', '-d', 'overlay', '--opt', 'encrypted', '--subnet', '10.77.0.0/24', '--gateway', '10.77.0.1', 'trace-enc'], env);
  assert.equal(result.stdout, 'n7z0ayng8vg3aq4dwrg8r6jvq\n');
  // Trace 04b-net-create-encrypted.
  assert.deepEqual(engine.requests[0]?.body, {
    Driver: 'overlay', Scope: '', IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.77.0.0/24', Gateway: '10.77.0.1' }] },
    Internal: false, Attachable: false, Ingress: false, ConfigOnly: false, ConfigFrom: null, Options: { encrypted: '' }, Labels: {},
    Name: 'trace-enc', CheckDuplicate: true,
  });
});
