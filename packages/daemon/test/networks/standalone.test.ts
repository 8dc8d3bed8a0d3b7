import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataplane, NetworkInfo, PortMapping } from '@shoal/agent';
import { ApiError } from '../../src/api/errors.js';
import { StandaloneNetworking, networksView, type NetworkFinder, type SwarmAccess } from '../../src/networks/index.js';
import { FakeRuntime } from '../containers/fake-runtime.js';

const NET: NetworkInfo = { ID: 'netid00000000000000000001', Name: 'test-net', Vni: 4097, Subnet: '10.0.1.0/24', Gateway: '10.0.1.1', Internal: false, Encrypted: false, Attachable: true, Ingress: false };
const find: NetworkFinder = async (ref) => (ref === NET.Name || ref === NET.ID ? { Id: NET.ID, Name: NET.Name, Scope: 'swarm', Attachable: true } : undefined);

/** Records what the managers and the data plane were asked, and holds one sandbox per container. */
class FakeSwarm implements SwarmAccess {
  readonly calls: string[] = [];
  readonly sandboxes = new Map<string, string[]>();
  readonly published = new Map<string, readonly PortMapping[]>();
  readonly dataplane = {
    prepareContainer: async (id: string, network: NetworkInfo, address: string, adopt?: string) => {
      this.calls.push(`prepare ${network.Name} ${address}${adopt === undefined ? '' : ` adopt ${adopt}`}`);
      this.sandboxes.set(id, [...(this.sandboxes.get(id) ?? []), network.ID]);
      return { netnsPath: `/netns/sb-${id}`, resolvConf: 'nameserver 127.0.0.11\n' };
    },
    disconnectContainer: async (id: string, networkId: string) => {
      this.calls.push(`disconnect ${networkId}`);
      this.sandboxes.set(id, (this.sandboxes.get(id) ?? []).filter((n) => n !== networkId));
      return undefined;
    },
    publishContainerPorts: async (id: string, ports: readonly PortMapping[]) => void this.published.set(id, ports),
    sandboxPath: (id: string) => (this.sandboxes.has(id) ? `/netns/sb-${id}` : undefined),
    release: async (id: string) => {
      this.calls.push('release');
      this.sandboxes.delete(id);
    },
  } as unknown as Dataplane;
  #next = 2;
  async agentCall(method: string, payload: Record<string, unknown>): Promise<unknown> {
    this.calls.push(`${method}${payload.networkId !== undefined ? ` ${String(payload.networkId)}` : ''}`);
    if (method === 'attachContainer') return { network: NET, address: `10.0.1.${this.#next++}/24` };
    return {};
  }
}

const stateDir = mkdtempSync(join(tmpdir(), 'shoal-standalone-'));
process.on('exit', () => rmSync(stateDir, { recursive: true, force: true }));
let files = 0;
const statePath = () => join(stateDir, `container-networks-${++files}.json`);

const spec = (name: string, extra: Record<string, unknown> = {}) => ({ id: name.padEnd(64, '0'), name, image: 'busybox', ...extra });

test('connect adds the network to a running container at once; inspect shows it; disconnect gives the address back', async () => {
  const swarm = new FakeSwarm();
  const runtime = new FakeRuntime();
  const nets = new StandaloneNetworking(runtime, swarm, () => undefined, statePath());
  await nets.runtime.create(spec('web'));
  await nets.runtime.start('web');
  await nets.connect('test-net', { container: 'web', aliases: ['www'] }, find);
  assert.deepEqual(swarm.calls, ['attachContainer', 'prepare test-net 10.0.1.2/24']);
  const id = spec('web').id;
  const view = networksView(id, nets.endpoints.list(id)) as Record<string, { IPAddress: string; Aliases: string[]; MacAddress: string; NetworkID: string }>;
  assert.deepEqual(
    [view['test-net']?.IPAddress, view['test-net']?.Aliases, view['test-net']?.MacAddress, view['test-net']?.NetworkID],
    ['10.0.1.2', ['www', id.slice(0, 12)], '02:42:0a:00:01:02', NET.ID],
  );
  await assert.rejects(nets.connect('test-net', { container: 'web', aliases: [] }, find), (err: unknown) =>
    err instanceof ApiError && err.status === 403 && err.message === 'endpoint with name web already exists in network test-net');
  await nets.disconnect('test-net', 'web', find);
  assert.deepEqual(swarm.calls.slice(2), [`disconnect ${NET.ID}`, `detachContainer ${NET.ID}`]);
  assert.deepEqual(nets.endpoints.list(id), []);
  await assert.rejects(nets.disconnect('test-net', 'web', find), (err: unknown) =>
    err instanceof ApiError && err.status === 500 && err.message === `container ${id} is not connected to network test-net`);
});

test('a created container connected before start gets its address when it starts, and gives it back when it stops', async () => {
  const swarm = new FakeSwarm();
  const runtime = new FakeRuntime();
  const nets = new StandaloneNetworking(runtime, swarm, () => undefined, statePath());
  await nets.runtime.create(spec('later', { ports: [{ protocol: 'tcp', publishedPort: 8080, targetPort: 80 }] }));
  const id = spec('later').id;
  await nets.connect(NET.ID, { container: 'later', aliases: [], ipv4: '10.0.1.9' }, find);
  // Checked with the managers (which refuse what is not attachable), then given back until start.
  assert.deepEqual(swarm.calls, ['attachContainer', `detachContainer ${NET.ID}`]);
  assert.equal(nets.endpoints.get(id, NET.ID)?.address, undefined);
  assert.equal(nets.endpoints.get(id, NET.ID)?.requestedIp, '10.0.1.9');
  await nets.runtime.start('later');
  assert.deepEqual(swarm.calls.slice(2), ['attachContainer', 'prepare test-net 10.0.1.3/24']);
  assert.deepEqual(swarm.published.get(id), [{ protocol: 'tcp', publishedPort: 8080, targetPort: 80 }]);
  await runtime.stop(id);
  await waitUntil(() => swarm.calls.includes('detachContainer'));
  assert.equal(nets.endpoints.holdsAddresses(id), false);
  assert.deepEqual(nets.endpoints.list(id).map((e) => e.networkName), ['test-net'], 'the container keeps its networks');
});

test('connect refuses a container that does not exist and one sharing the host namespace, before asking anyone', async () => {
  const swarm = new FakeSwarm();
  const runtime = new FakeRuntime();
  const nets = new StandaloneNetworking(runtime, swarm, () => undefined, statePath());
  await assert.rejects(nets.connect('test-net', { container: 'nosuch', aliases: [] }, find), (err: unknown) =>
    err instanceof ApiError && err.status === 404 && err.message === 'No such container: nosuch');
  await nets.runtime.create(spec('h', { networkMode: 'host' }));
  await assert.rejects(nets.connect('test-net', { container: 'h', aliases: [] }, find), (err: unknown) =>
    err instanceof ApiError && err.status === 400 && /sharing network namespace with another container or host/.test(err.message));
  assert.deepEqual(swarm.calls, []);
});

test('rm returns once the managers have the container\'s endpoints back, so its name can be reused on the network at once', async () => {
  const swarm = new FakeSwarm();
  const runtime = new FakeRuntime();
  const nets = new StandaloneNetworking(runtime, swarm, () => undefined, statePath());
  await nets.runtime.create(spec('again', { networkMode: NET.Name }));
  await nets.runtime.start('again');
  let answer!: () => void;
  const slow = swarm.agentCall.bind(swarm);
  swarm.agentCall = async (method, payload) => {
    if (method === 'detachContainer') await new Promise<void>((resolve) => (answer = resolve));
    return slow(method, payload);
  };
  let removed = false;
  const rm = nets.runtime.remove('again').then(() => (removed = true));
  await waitUntil(() => answer !== undefined);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(removed, false, 'rm waits for the managers');
  answer();
  await rm;
  assert.ok(swarm.calls.includes('detachContainer'));
});

test('after a daemon restart a running container keeps its networks and its sandbox; one that stopped meanwhile gives its addresses back', async () => {
  const runtime = new FakeRuntime();
  const path = statePath();
  const before = new StandaloneNetworking(runtime, new FakeSwarm(), () => undefined, path);
  await before.runtime.create(spec('web', { networkMode: NET.Name, ports: [{ protocol: 'tcp', publishedPort: 8080, targetPort: 80 }] }));
  await before.runtime.start('web');
  const id = spec('web').id;

  const swarm = new FakeSwarm();
  const after = new StandaloneNetworking(runtime, swarm, () => undefined, path);
  assert.deepEqual(after.endpoints.list(id), before.endpoints.list(id));
  assert.equal(after.endpoints.get(id, NET.ID)?.address, '10.0.1.2/24');
  assert.deepEqual(after.liveContainers(), [{ id, ports: [{ protocol: 'tcp', publishedPort: 8080, targetPort: 80 }] }], 'the data plane adopts its sandbox');
  assert.deepEqual(swarm.calls, [], 'nothing asked of the managers: the address is still the container\'s');

  // Saved while running, then the daemon was down while it stopped; and one that is gone altogether.
  const stopped = spec('gone-quiet').id;
  await runtime.create(spec('gone-quiet'));
  writeFileSync(path, JSON.stringify({
    [stopped]: [{ networkId: NET.ID, networkName: NET.Name, aliases: [], address: '10.0.1.7/24' }],
    ['x'.repeat(64)]: [{ networkId: NET.ID, networkName: NET.Name, aliases: [], address: '10.0.1.8/24' }],
  }));
  const later = new FakeSwarm();
  const restarted = new StandaloneNetworking(runtime, later, () => undefined, path);
  await waitUntil(() => later.calls.includes('detachContainer'));
  assert.equal(restarted.endpoints.holdsAddresses(stopped), false);
  assert.deepEqual(restarted.endpoints.list(stopped).map((e) => e.networkName), [NET.Name], 'it keeps its networks for its next start');
  assert.deepEqual(restarted.endpoints.list('x'.repeat(64)), []);
  assert.deepEqual(restarted.liveContainers(), []);
});

async function waitUntil(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}
