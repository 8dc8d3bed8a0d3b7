// Local bridge networks with the real docker CLI on one shoald outside swarm mode: `network ls` lists
// bridge, host and none; `docker run` joins the default bridge (docker0, 172.17.0.0/16) and reaches
// another container there by address, without names (the host's resolv.conf); `-p` publishes at the
// host's address; `--network none` has only lo and `--network host` the host's interfaces; a
// user-defined bridge gives names and aliases through 127.0.0.11, `network connect/disconnect`, and
// `network rm` is refused while a container is on it; networks and running containers' legs survive
// a restart of shoald.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerCli, dockerOk, execOnHost, restartDaemon, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { httpGet, loadBusybox } from '../src/seed-walkthroughs.js';

const ok = (host: HostLayout, args: readonly string[]) => dockerOk(host, args, { timeoutMs: 30_000 });

const HTTPD = ['sh', '-c', 'mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 80 -h /www'];

test('docker run joins the default bridge: 172.17 addresses, reach by IP, no names, -p at the host address; none has only lo, host the host\'s interfaces', async (t) => {
  const cluster = await withCluster(t, { managers: 1, socketTimeoutMs: 30_000 });
  const host = cluster.hosts[0]!;
  await loadBusybox(dockerCli, [host]);

  const ls = await ok(host, ['network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}']);
  assert.deepEqual(ls.trim().split('\n'), ['bridge bridge local', 'host host local', 'none null local']);

  t.after(() => dockerCli(host, ['rm', '-f', 'target', 'web', 'anyport'], { timeoutMs: 30_000 }));
  await ok(host, ['run', '-d', '--name', 'target', 'busybox', 'sleep', '300']);
  await ok(host, ['run', '-d', '--name', 'web', '-p', '8080:80', '-p', '127.0.0.1:8081:80', 'busybox', ...HTTPD]);
  await ok(host, ['run', '-d', '--name', 'anyport', '--expose', '80', '-P', 'busybox', ...HTTPD]);
  const ipA = (await ok(host, ['inspect', '--format', '{{.NetworkSettings.Networks.bridge.IPAddress}} {{.NetworkSettings.Networks.bridge.Gateway}}', 'target'])).trim();
  assert.equal((await ok(host, ['inspect', '--format', '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}}', 'target'])).trim(), ipA, 'the default bridge fills the top-level fields');
  assert.match(ipA, /^172\.17\.0\.\d+ 172\.17\.0\.1$/);
  const addrA = ipA.split(' ')[0]!;

  const pinged = await dockerCli(host, ['run', '--rm', 'busybox', 'ping', '-c', '1', '-W', '2', addrA], { timeoutMs: 30_000 });
  assert.equal(pinged.code, 0, `ping ${addrA} from another container on the bridge: ${pinged.stdout}${pinged.stderr}`);
  const resolv = await ok(host, ['run', '--rm', 'busybox', 'cat', '/etc/resolv.conf']);
  assert.doesNotMatch(resolv, /127\.0\.0\.11/, 'no embedded DNS on the default bridge');

  assert.equal(await waitFor('the published port at the host address', () => httpGet(host, host.addr, 8080), { timeoutMs: 10_000, intervalMs: 300 }), 'hello-from-web');
  assert.match(await ok(host, ['port', 'web']), /^80\/tcp -> 0\.0\.0\.0:8080$/m);
  // busybox wget crashes in containers here; nc speaks HTTP from a container on the same bridge (hairpin).
  const hairpin = await ok(host, ['exec', 'target', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host.addr} 8080`]);
  assert.match(hairpin, /hello-from-web/, 'a container reaches a port published on its own bridge at the host address');
  assert.equal(await waitFor('127.0.0.1:8081 on the host', () => httpGet(host, '127.0.0.1', 8081), { timeoutMs: 10_000, intervalMs: 300 }), 'hello-from-web');
  const random = /^80\/tcp -> 0\.0\.0\.0:(\d+)$/m.exec(await ok(host, ['port', 'anyport']));
  assert.ok(random, '-P gives the exposed port a host port');
  assert.equal(await waitFor('the -P port', () => httpGet(host, host.addr, Number(random[1])), { timeoutMs: 10_000, intervalMs: 300 }), 'hello-from-web');

  const [bridge] = JSON.parse(await ok(host, ['network', 'inspect', 'bridge'])) as { Containers: Record<string, { Name: string; IPv4Address: string }>; Options: Record<string, string> }[];
  assert.deepEqual(Object.values(bridge!.Containers).map((c) => c.Name).sort(), ['anyport', 'target', 'web']);
  assert.equal(bridge!.Options['com.docker.network.bridge.name'], 'docker0');

  const none = await ok(host, ['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net']);
  assert.deepEqual(none.trim().split(/\s+/), ['lo']);
  const hostNet = await ok(host, ['run', '--rm', '--network', 'host', 'busybox', 'ip', '-o', '-4', 'addr']);
  assert.match(hostNet, new RegExp(`inet ${host.addr.replace(/\./g, '\\.')}/`));

  await ok(host, ['rm', '-f', 'target', 'web', 'anyport']);
  assert.equal(await httpGet(host, host.addr, 8080), undefined, 'the port is withdrawn with the container');
  const [after] = JSON.parse(await ok(host, ['network', 'inspect', 'bridge'])) as { Containers: Record<string, unknown> }[];
  assert.deepEqual(after!.Containers, {});
  const links = await execOnHost(host, ['ip', '-o', 'link', 'show', 'type', 'veth']);
  assert.doesNotMatch(links.stdout, /veth[0-9a-f]{7}/, 'no container leg left on the host');
});

/** Addresses busybox nslookup printed (the server's own line, 127.0.0.11:53, has a port and is skipped). */
function addressesOf(nslookup: string): string[] {
  return [...nslookup.matchAll(/^Address:\s+(\d+\.\d+\.\d+\.\d+)$/gm)].map((m) => m[1]!).sort();
}

test('a user-defined bridge: names and aliases through 127.0.0.11, connect/disconnect, rm refused while in use, kept across a restart of shoald', async (t) => {
  const cluster = await withCluster(t, { managers: 1, socketTimeoutMs: 30_000 });
  const host = cluster.hosts[0]!;
  await loadBusybox(dockerCli, [host]);
  t.after(() => dockerCli(host, ['rm', '-f', 'srv', 'other'], { timeoutMs: 30_000 }));

  const id = (await ok(host, ['network', 'create', '-d', 'bridge', '--label', 'purpose=e2e', 'appnet'])).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const [created] = JSON.parse(await ok(host, ['network', 'inspect', 'appnet'])) as { Scope: string; Driver: string; IPAM: { Config: unknown[] }; Labels: Record<string, string> }[];
  assert.deepEqual([created!.Scope, created!.Driver, created!.IPAM.Config, created!.Labels], ['local', 'bridge', [{ Subnet: '172.19.0.0/16', Gateway: '172.19.0.1' }], { purpose: 'e2e' }]);
  const dup = await dockerCli(host, ['network', 'create', 'appnet'], { timeoutMs: 30_000 });
  assert.match(dup.stderr, /network with name appnet already exists/);

  await ok(host, ['run', '-d', '--name', 'srv', '--network', 'appnet', '--network-alias', 'db', 'busybox', 'sleep', '300']);
  const srvIp = (await ok(host, ['inspect', '--format', '{{.NetworkSettings.Networks.appnet.IPAddress}}', 'srv'])).trim();
  assert.equal(srvIp, '172.19.0.2');
  const asked = await ok(host, ['run', '--rm', '--network', 'appnet', 'busybox', 'sh', '-c', 'nslookup srv 127.0.0.11; nslookup db; ping -c 1 -W 2 srv >/dev/null && echo pinged; cat /etc/resolv.conf']);
  assert.deepEqual(addressesOf(asked), [srvIp, srvIp], asked);
  assert.match(asked, /^pinged$/m, 'container B pings container A by name');
  assert.match(asked, /^nameserver 127\.0\.0\.11$/m);

  const [inUse] = JSON.parse(await ok(host, ['network', 'inspect', 'appnet'])) as { Containers: Record<string, { Name: string; IPv4Address: string }> }[];
  assert.deepEqual(Object.values(inUse!.Containers).map((c) => [c.Name, c.IPv4Address]), [['srv', '172.19.0.2/16']]);
  const refused = await dockerCli(host, ['network', 'rm', 'appnet'], { timeoutMs: 30_000 });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, new RegExp(`error while removing network: network appnet id ${id} has active endpoints`));

  // A container on the default bridge joins appnet while it runs, and its names resolve there.
  await ok(host, ['run', '-d', '--name', 'other', 'busybox', 'sleep', '300']);
  await ok(host, ['network', 'connect', '--alias', 'second', 'appnet', 'other']);
  const fromOther = await ok(host, ['exec', 'other', 'nslookup', 'srv']);
  assert.deepEqual(addressesOf(fromOther), [srvIp], fromOther);
  const fromSrv = await ok(host, ['exec', 'srv', 'nslookup', 'second']);
  assert.equal(addressesOf(fromSrv).length, 1, fromSrv);
  assert.match(addressesOf(fromSrv)[0]!, /^172\.19\.0\.\d+$/);
  await ok(host, ['network', 'disconnect', 'appnet', 'other']);
  const gone = await dockerCli(host, ['exec', 'srv', 'nslookup', 'second'], { timeoutMs: 30_000 });
  assert.deepEqual(addressesOf(gone.stdout), [], 'a disconnected container\'s name goes');

  await restartDaemon(host, { socketTimeoutMs: 30_000 });

  assert.match(await ok(host, ['network', 'ls', '--format', '{{.Name}}']), /^appnet$/m, 'the network outlives the restart');
  const again = await ok(host, ['exec', 'srv', 'sh', '-c', 'nslookup db; ping -c 1 -W 2 172.19.0.1 >/dev/null && echo up']);
  assert.deepEqual(addressesOf(again), [srvIp], again);
  assert.match(again, /^up$/m, 'the running container keeps its leg');

  // Containers starting at once on one network get distinct addresses.
  const burst = ['b1', 'b2', 'b3'];
  t.after(() => dockerCli(host, ['rm', '-f', ...burst], { timeoutMs: 30_000 }));
  await Promise.all(burst.map((name) => ok(host, ['run', '-d', '--name', name, '--network', 'appnet', 'busybox', 'sleep', '300'])));
  const burstIps = await Promise.all(burst.map(async (name) => (await ok(host, ['inspect', '--format', '{{.NetworkSettings.Networks.appnet.IPAddress}}', name])).trim()));
  assert.equal(new Set([srvIp, ...burstIps]).size, 4, `distinct addresses: ${burstIps.join(' ')}`);
  await ok(host, ['rm', '-f', ...burst]);

  // Any name dockerd takes for a local network, a space too (a swarm network keeps swarmkit's DNS-label rule).
  await ok(host, ['network', 'create', 'test 01']);
  assert.equal(await ok(host, ['run', '--rm', '--network', 'test 01', 'busybox', 'echo', 'joined']), 'joined\n');
  assert.equal((await ok(host, ['network', 'rm', 'test 01'])).trim(), 'test 01');

  await ok(host, ['network', 'create', 'spare']);
  assert.match(await ok(host, ['network', 'prune', '-f']), /^Deleted Networks:\nspare\n\n?$/, 'prune takes the unused bridge and keeps appnet');
  await ok(host, ['rm', '-f', 'srv', 'other']);
  assert.equal((await ok(host, ['network', 'rm', 'appnet'])).trim(), 'appnet');
  const links = await execOnHost(host, ['ip', '-o', 'link', 'show']);
  assert.doesNotMatch(links.stdout, new RegExp(`br-${id.slice(0, 12)}`), 'the Linux bridge goes with the network');
});
