// `docker run -p` for a standalone container on an attachable overlay, with the real docker CLI: TCP
// and UDP ports published at once answer at the node's address from another host's namespace (through
// the container's gateway-bridge leg, as dockerd's docker_gwbridge); a port another container holds
// and SCTP on a kernel without it are refused with Docker's wording; random host ports (`-p 80`, `-P`)
// and one host address (`-p 127.0.0.1:8083:80`); removing the container withdraws its ports.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerCli, execOnHost, formSwarm, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';

async function ok(host: HostLayout, args: readonly string[]): Promise<string> {
  const r = await dockerCli(host, args, { timeoutMs: 30_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** GET / on addr:port from `from`'s namespace; undefined when nothing answers. */
async function httpGet(from: HostLayout, addr: string, port: number): Promise<string | undefined> {
  const r = await execOnHost(from, ['busybox', 'wget', '-qO-', `http://${addr}:${port}/`], { timeoutMs: 5_000 }).catch(() => undefined);
  return r?.code === 0 ? r.stdout.trim() : undefined;
}

/** One UDP datagram to addr:port from `from`'s namespace; the reply, or undefined after 1 s. */
async function udpAsk(from: HostLayout, addr: string, port: number, text: string): Promise<string | undefined> {
  const script = `const s=require('dgram').createSocket('udp4');const t=setTimeout(()=>process.exit(1),1000);` +
    `s.on('message',(m)=>{clearTimeout(t);process.stdout.write(String(m));process.exit(0)});s.send(${JSON.stringify(text)},${port},${JSON.stringify(addr)});`;
  const r = await execOnHost(from, [process.execPath, '-e', script], { timeoutMs: 5_000 }).catch(() => undefined);
  return r?.code === 0 ? r.stdout : undefined;
}

test('docker run -p publishes TCP and UDP ports (given or random) of an overlay container at its node\'s address; conflicts and SCTP are refused', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 1, socketTimeoutMs: 30_000 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [manager, worker] = cluster.hosts;
  assert.ok(manager && worker);
  await loadBusybox(dockerCli, [worker]);
  await ok(manager, ['network', 'create', '--driver', 'overlay', '--attachable', 'pub-net']);

  await ok(worker, [
    'run', '-d', '--name', 'web', '--network', 'pub-net', '-p', '8080:80', '-p', '8081:81/udp', 'busybox',
    'sh', '-c', 'mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 80 -h /www',
  ]);
  // busybox has no UDP server: a UDP echo runs in the container's network namespace instead.
  const sandboxKey = (await ok(worker, ['inspect', '--format', '{{.NetworkSettings.SandboxKey}}', 'web'])).trim();
  assert.ok(existsSync(sandboxKey), `sandbox ${sandboxKey}`);
  const echo = spawn('nsenter', [`--net=${sandboxKey}`, '--', process.execPath, '-e',
    `const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send('echo:'+m,r.port,r.address));s.bind(81);`], { stdio: 'ignore' });
  t.after(() => echo.kill('SIGKILL'));

  const body = await waitFor('TCP 8080 at the worker from the manager', () => httpGet(manager, worker.addr, 8080), { timeoutMs: 10_000, intervalMs: 300 });
  assert.equal(body, 'hello-from-web');
  assert.equal(await waitFor('UDP 8081 at the worker from the manager', () => udpAsk(manager, worker.addr, 8081, 'ping'), { timeoutMs: 10_000, intervalMs: 300 }), 'echo:ping');
  const ports = JSON.parse(await ok(worker, ['inspect', '--format', '{{json .NetworkSettings.Ports}}', 'web'])) as Record<string, unknown>;
  assert.deepEqual(ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '81/udp': [{ HostIp: '0.0.0.0', HostPort: '8081' }] });

  const taken = await dockerCli(worker, ['run', '-d', '--name', 'other', '--network', 'pub-net', '-p', '8080:80', 'busybox', 'sleep', '30'], { timeoutMs: 30_000 });
  assert.notEqual(taken.code, 0);
  assert.match(taken.stderr, /driver failed programming external connectivity on endpoint other: Bind for 0\.0\.0\.0:8080 failed: port is already allocated/);
  await ok(worker, ['rm', '-f', 'other']);

  // -p 80, and -P with --expose: a random host port, which `docker port` reads back and which answers.
  for (const publish of [['-p', '80'], ['--expose', '80', '-P']]) {
    await ok(worker, [
      'run', '-d', '--name', 'random', '--network', 'pub-net', ...publish, 'busybox',
      'sh', '-c', 'mkdir -p /www && echo hello-from-random > /www/index.html && exec httpd -f -p 80 -h /www',
    ]);
    const mapped: string = (await ok(worker, ['port', 'random'])).trim();
    const hostPort: number = Number(/^80\/tcp -> 0\.0\.0\.0:(\d+)$/.exec(mapped)?.[1]);
    assert.ok(hostPort >= 32768 && hostPort <= 60999, `docker port after ${publish.join(' ')}: ${mapped}`);
    assert.equal(await waitFor(`TCP ${hostPort} at the worker`, (): Promise<string | undefined> => httpGet(manager, worker.addr, hostPort), { timeoutMs: 10_000, intervalMs: 300 }), 'hello-from-random');
    await ok(worker, ['rm', '-f', 'random']);
  }

  // -p 127.0.0.1:8083:80: the node itself reaches it, other hosts do not.
  await ok(worker, [
    'run', '-d', '--name', 'local', '--network', 'pub-net', '-p', '127.0.0.1:8083:80', 'busybox',
    'sh', '-c', 'mkdir -p /www && echo hello-from-local > /www/index.html && exec httpd -f -p 80 -h /www',
  ]);
  assert.equal((await ok(worker, ['port', 'local'])).trim(), '80/tcp -> 127.0.0.1:8083');
  assert.equal(await waitFor('127.0.0.1:8083 on the worker', () => httpGet(worker, '127.0.0.1', 8083), { timeoutMs: 10_000, intervalMs: 300 }), 'hello-from-local');
  assert.equal(await httpGet(manager, worker.addr, 8083), undefined, 'not published on the worker\'s underlay address');
  await ok(worker, ['rm', '-f', 'local']);
  if (!existsSync('/proc/net/sctp')) {
    const sctp = await dockerCli(worker, ['run', '-d', '--name', 'sctp', '--network', 'pub-net', '-p', '8082:80/sctp', 'busybox', 'sleep', '30'], { timeoutMs: 30_000 });
    assert.notEqual(sctp.code, 0);
    assert.match(sctp.stderr, /driver failed programming external connectivity on endpoint sctp: .*listen sctp4 0\.0\.0\.0:8082: socket: protocol not supported \(this kernel has no SCTP support\)/);
    await ok(worker, ['rm', '-f', 'sctp']);
  }

  await ok(worker, ['rm', '-f', 'web']);
  assert.equal(await httpGet(manager, worker.addr, 8080), undefined, 'port 8080 withdrawn with the container');
  await waitFor('pub-net removable', async () => ((await dockerCli(manager, ['network', 'rm', 'pub-net'])).code === 0 ? true : undefined), { timeoutMs: 15_000, intervalMs: 500 });
});
