import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkResource } from '@shoal/manager';
import { createEngineApi } from '../../src/api/index.js';
import { localNetworks, networkRoutes, type BridgeBackend, type NetworkBackend, type SwarmRole } from '../../src/networks/index.js';
import { send, targetOf, testSystem } from '../api/helpers.js';

const swarmNet: NetworkResource = {
  Name: 'test-net', Id: 'zl5dqa21ylx9abzsygvj56abr', Created: '2030-01-01T00:00:00Z', Scope: 'swarm', Driver: 'overlay', EnableIPv6: false,
  IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }] },
  Internal: false, Attachable: true, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: null,
  Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' }, Labels: null,
};

class FakeBackend implements NetworkBackend {
  currentRole: SwarmRole = 'manager';
  readonly calls: [string, unknown][] = [];
  role(): SwarmRole {
    return this.currentRole;
  }
  async call(method: string, payload: unknown): Promise<unknown> {
    this.calls.push([method, payload]);
    if (method === 'listNetworks') return [swarmNet];
    if (method === 'getNetwork') return { ...swarmNet, Services: {} };
    if (method === 'createNetwork') return { Id: 'newid', Warning: '' };
    if (method === 'pruneNetworks') return { NetworksDeleted: ['x'] };
    return null;
  }
  localNetworks(): NetworkResource[] {
    return localNetworks({ engineId: 'e'.repeat(64), createdAt: '2030-01-01T00:00:00Z', inSwarm: this.currentRole !== 'none' });
  }
}

async function serve(t: TestContext, backend: NetworkBackend) {
  const api = createEngineApi({ system: testSystem(), routes: [networkRoutes(backend)] });
  const server = await api.listen({ kind: 'tcp', port: 0 });
  t.after(() => server.close());
  const target = targetOf(server.address);
  return async (method: string, path: string, body?: unknown) => {
    const reply = await send(target, method, `/v1.41${path}`, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    return { status: reply.status, json: reply.body === '' ? undefined : JSON.parse(reply.body) };
  };
}

test('GET /networks lists swarm networks from the leader, then the node\'s gateway bridge, none and host', async (t) => {
  const backend = new FakeBackend();
  const api = await serve(t, backend);
  const all = await api('GET', '/networks');
  assert.equal(all.status, 200);
  assert.deepEqual(all.json.map((n: NetworkResource) => `${n.Name} ${n.Driver} ${n.Scope}`), ['test-net overlay swarm', 'docker_gwbridge bridge local', 'none null local', 'host host local']);
  const gw = all.json[1] as NetworkResource;
  assert.match(gw.Id, /^[0-9a-f]{64}$/);
  assert.deepEqual([gw.Containers, gw.Labels, gw.IPAM.Config], [{}, {}, [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }]]);
  const filtered = await api('GET', `/networks?filters=${encodeURIComponent('{"driver":{"bridge":true}}')}`);
  assert.deepEqual(filtered.json.map((n: NetworkResource) => n.Name), ['test-net', 'docker_gwbridge'], 'the fake leader ignores filters; local ones are filtered here');
  assert.deepEqual(backend.calls.at(-1), ['listNetworks', { filters: { driver: ['bridge'] } }]);
  assert.equal((await api('GET', `/networks?filters=${encodeURIComponent('{"bogus":{"x":true}}')}`)).status, 400);

  backend.currentRole = 'worker';
  backend.calls.length = 0;
  assert.deepEqual((await api('GET', '/networks')).json.map((n: NetworkResource) => n.Name), ['docker_gwbridge', 'none', 'host']);
  assert.deepEqual(backend.calls, [], 'a worker asks no manager');
  backend.currentRole = 'none';
  assert.deepEqual((await api('GET', '/networks')).json.map((n: NetworkResource) => n.Name), ['none', 'host'], 'no gateway bridge outside a swarm');
});

test('GET /networks/{ref} resolves names and ID prefixes over swarm and local networks; scope narrows; verbose asks the leader', async (t) => {
  const backend = new FakeBackend();
  const api = await serve(t, backend);
  assert.equal((await api('GET', '/networks/test-net')).json.Id, swarmNet.Id);
  assert.equal((await api('GET', '/networks/zl5dq')).json.Name, 'test-net');
  assert.equal((await api('GET', '/networks/host')).json.Driver, 'host');
  assert.deepEqual(await api('GET', '/networks/host?scope=swarm'), { status: 404, json: { message: 'network host not found' } });
  assert.deepEqual(await api('GET', '/networks/nosuch'), { status: 404, json: { message: 'network nosuch not found' } });
  assert.deepEqual((await api('GET', '/networks/test-net?verbose=true')).json.Services, {});
  assert.deepEqual(backend.calls.at(-1), ['getNetwork', { id: swarmNet.Id, verbose: true }]);
});

test('POST /networks/create answers 201 on a manager, 403 on a worker or for a local network name, 501 for other drivers', async (t) => {
  const backend = new FakeBackend();
  const api = await serve(t, backend);
  const body = { Name: 'trace-net', Driver: 'overlay', IPAM: { Driver: 'default', Options: {}, Config: [] }, Options: {}, Labels: {}, CheckDuplicate: true };
  assert.deepEqual(await api('POST', '/networks/create', body), { status: 201, json: { Id: 'newid', Warning: '' } });
  assert.deepEqual(await api('POST', '/networks/create', { ...body, Name: 'docker_gwbridge' }), {
    status: 403,
    json: { message: 'docker_gwbridge is a pre-defined network and cannot be created' },
  });
  assert.deepEqual((await api('POST', '/networks/create', { ...body, Driver: 'bridge' })).status, 501);
  // A swarm network's name follows swarmkit's rule (a local one may be "test 01"), on a worker too.
  assert.deepEqual(await api('POST', '/networks/create', { ...body, Name: 'test 01' }), {
    status: 400,
    json: { message: 'rpc error: code = InvalidArgument desc = name must be valid as a DNS name component' },
  });
  backend.currentRole = 'worker';
  assert.deepEqual(await api('POST', '/networks/create', body), {
    status: 403,
    json: { message: 'Cannot create a multi-host network from a worker node. Please create the network from a manager node.' },
  });
});

test('DELETE /networks/{ref} removes swarm networks through the leader by full ID and refuses local ones; prune on a worker deletes nothing', async (t) => {
  const backend = new FakeBackend();
  const api = await serve(t, backend);
  assert.deepEqual(await api('DELETE', '/networks/test-net'), { status: 204, json: undefined });
  assert.deepEqual(backend.calls.at(-1), ['removeNetwork', { id: swarmNet.Id }]);
  assert.deepEqual(await api('DELETE', '/networks/none'), { status: 403, json: { message: 'none is a pre-defined network and cannot be removed' } });
  assert.equal((await api('DELETE', '/networks/nosuch')).status, 404);
  assert.deepEqual((await api('POST', '/networks/prune')).json, { NetworksDeleted: ['x'] });
  backend.currentRole = 'worker';
  assert.deepEqual((await api('POST', '/networks/prune')).json, { NetworksDeleted: [] });
});

test('POST /networks/create without a driver or with bridge makes a local bridge network (also in swarm mode); DELETE and prune remove only user-defined ones', async (t) => {
  const backend = new FakeBackend();
  const created: [string | undefined, boolean][] = [];
  const removed: string[] = [];
  const bridges: BridgeBackend = {
    create: (req, nameTaken) => {
      created.push([req.Name, nameTaken]);
      return { Id: 'b'.repeat(64) };
    },
    owns: (id) => id === 'b'.repeat(64),
    remove: async (id) => void removed.push(id),
    prune: async (filters) => (filters.label?.includes('keep') ? [] : ['spare']),
  };
  const predefined = backend.localNetworks();
  const local = (): NetworkResource[] => [...predefined, { ...swarmNet, Name: 'appnet', Id: 'b'.repeat(64), Scope: 'local', Driver: 'bridge', Containers: {} }];
  const api = await serve(t, Object.assign(backend, { bridges, localNetworks: local }));
  const body = { Name: 'appnet', Driver: 'bridge', IPAM: { Driver: 'default', Options: {}, Config: [] }, Options: {}, Labels: {}, CheckDuplicate: true };
  assert.deepEqual(await api('POST', '/networks/create', body), { status: 201, json: { Id: 'b'.repeat(64), Warning: '' } });
  assert.equal((await api('POST', '/networks/create', { ...body, Driver: '', Name: 'test-net' })).status, 201);
  assert.deepEqual(created, [['appnet', false], ['test-net', true]], 'a swarm network\'s name is reported taken');
  assert.deepEqual(backend.calls.filter(([m]) => m === 'createNetwork'), [], 'the managers are not asked');
  assert.deepEqual(await api('DELETE', '/networks/appnet'), { status: 204, json: undefined });
  assert.deepEqual(removed, ['b'.repeat(64)]);
  assert.equal((await api('DELETE', '/networks/host')).status, 403);
  assert.deepEqual((await api('POST', '/networks/prune')).json, { NetworksDeleted: ['x', 'spare'] }, 'the swarm\'s unused networks, then the unused bridges');
  backend.currentRole = 'none';
  assert.deepEqual((await api('POST', '/networks/prune')).json, { NetworksDeleted: ['spare'] }, 'outside a swarm only bridges');
});
