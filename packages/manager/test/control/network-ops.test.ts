import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlError } from '../../src/control/errors.js';
import { createNetwork, getNetwork, ingressNetworkDraft, listNetworks, pruneNetworks, removeNetwork } from '../../src/control/network-ops.js';
import { addressPools } from '../../src/allocator/index.js';
import { attachContainer, detachContainer } from '../../src/dispatcher/container-attachments.js';
import { SimManager, prng } from '../allocator/sim-manager.js';

function controlError(code: ControlError['code'], message: string | RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ControlError, `expected a ControlError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  };
}

/** A leader with a cluster (default pool 10.0.0.0/8 in /24s) and the ingress network, as after `swarm init`. */
function cluster(seed = 1): SimManager {
  const sim = new SimManager(prng(seed));
  const object = { ID: 'cluster1', Spec: {}, DefaultAddrPool: ['10.0.0.0/8'], SubnetSize: 24, DataPathPort: 4789, JoinTokens: { Worker: '', Manager: '' }, RootCA: { CertPem: '', KeyPem: '' } };
  sim.commit([
    { op: 'create', table: 'cluster', object: object as never },
    { op: 'create', table: 'network', object: ingressNetworkDraft('ingressid0000000000000000', addressPools(['10.0.0.0/8'], 24)) },
    { op: 'create', table: 'node', object: { ID: 'node1', Spec: { Labels: {}, Role: 'manager', Availability: 'active' }, Description: { Hostname: 'h1' }, Status: { State: 'ready', Addr: '198.51.100.2' } } },
  ]);
  return sim;
}

// The body docker network create sends (04a in the traces).
const body = (name: string, extra: Record<string, unknown> = {}) => ({
  Driver: 'overlay', Scope: '', IPAM: { Driver: 'default', Options: {}, Config: [] }, Internal: false, Attachable: false, Ingress: false,
  ConfigOnly: false, ConfigFrom: null, Options: {}, Labels: {}, Name: name, CheckDuplicate: true, ...extra,
});

test('network create allocates the next subnet and VNI after ingress and shows as dockerd does', async () => {
  const sim = cluster();
  const { Id, Warning } = await createNetwork(sim.ctx, body('trace-net', { Attachable: true }));
  assert.match(Id, /^[0-9a-z]{25}$/);
  assert.equal(Warning, '');
  const shown = getNetwork(sim.ctx, { id: 'trace-net' });
  assert.deepEqual(shown, {
    Name: 'trace-net', Id, Created: '2030-01-15T12:00:00.000Z', Scope: 'swarm', Driver: 'overlay', EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }] },
    Internal: false, Attachable: true, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: null,
    Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' }, Labels: null,
    Status: { IPAM: { Subnets: { '10.0.1.0/24': { IPsInUse: 3, DynamicIPsAvailable: 253 } } } },
  });
  assert.deepEqual(Object.keys(shown), ['Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable', 'Ingress', 'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels', 'Status']);
  const ingress = getNetwork(sim.ctx, { id: 'ingress' });
  assert.deepEqual([ingress.Ingress, ingress.IPAM.Config, ingress.Options], [true, [{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' }], { 'com.docker.network.driver.overlay.vxlanid_list': '4096' }]);
});

test('network create takes subnet, gateway, ip-range, aux addresses, options, labels and a requested VNI', async () => {
  const sim = cluster();
  await createNetwork(sim.ctx, body('enc', {
    IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.77.0.0/16', IPRange: '10.77.1.0/24', Gateway: '10.77.0.254', AuxiliaryAddresses: { router: '10.77.0.2' } }] },
    Options: { encrypted: '', 'com.docker.network.driver.mtu': '1400', 'com.docker.network.driver.overlay.vxlanid_list': '5000' },
    Labels: { team: 'a' }, Internal: true,
  }));
  const shown = getNetwork(sim.ctx, { id: 'enc' });
  assert.deepEqual(shown.IPAM.Config, [{ Subnet: '10.77.0.0/16', IPRange: '10.77.1.0/24', Gateway: '10.77.0.254', AuxiliaryAddresses: { router: '10.77.0.2' } }]);
  assert.deepEqual(shown.Options, { 'com.docker.network.driver.mtu': '1400', 'com.docker.network.driver.overlay.vxlanid_list': '5000', encrypted: '' });
  assert.deepEqual([shown.Labels, shown.Internal], [{ team: 'a' }, true]);
  await assert.rejects(
    createNetwork(sim.ctx, body('clash', { Options: { 'com.docker.network.driver.overlay.vxlanid_list': '5000' } })),
    controlError('conflict', 'VXLAN ID 5000 requested for network clash is already in use'),
  );
  await assert.rejects(
    createNetwork(sim.ctx, body('inside', { IPAM: { Config: [{ Subnet: '10.77.3.0/24' }] } })),
    controlError('conflict', 'subnet 10.77.3.0/24 of network inside overlaps subnet 10.77.0.0/16 of network enc'),
  );
  // The default pool skips the user's subnet as well.
  await createNetwork(sim.ctx, body('next'));
  assert.deepEqual(getNetwork(sim.ctx, { id: 'next' }).IPAM.Config, [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }]);
});

test('network create refuses what Docker refuses, with its messages and statuses', async () => {
  const sim = cluster();
  await createNetwork(sim.ctx, body('taken'));
  const refused = (extra: Record<string, unknown>, name = 'x') => createNetwork(sim.ctx, body(name, extra));
  await assert.rejects(refused({}, 'taken'), controlError('conflict', 'network with name taken already exists'));
  await assert.rejects(refused({ Ingress: true }), controlError('conflict', 'rpc error: code = AlreadyExists desc = ingress network (ingressid0000000000000000) is already present'));
  await assert.rejects(refused({ Ingress: true, Attachable: true }), controlError('invalid-argument', /ingress network cannot be attachable/));
  await assert.rejects(refused({ EnableIPv6: true }), controlError('invalid-argument', /IPv6 is not supported/));
  await assert.rejects(refused({ IPAM: { Config: [{ Subnet: 'fd00::/64' }] } }), controlError('invalid-argument', /IPv6 is not supported/));
  await assert.rejects(refused({ Driver: 'bridge' }), controlError('not-implemented', /only overlay networks: the "bridge" driver/));
  await assert.rejects(refused({}, 'host'), controlError('permission-denied', 'host is a pre-defined network and cannot be created'));
  // swarmkit's rule for swarm networks, stricter than a local network's: no spaces, no dots, no `-` or `_` at the ends.
  for (const name of ['bad name!', 'test 01', 'my.net', '-lead', 'trail_']) {
    await assert.rejects(refused({}, name), controlError('invalid-argument', 'rpc error: code = InvalidArgument desc = name must be valid as a DNS name component'), name);
  }
  await assert.rejects(refused({}, 'a'.repeat(64)), controlError('invalid-argument', 'rpc error: code = InvalidArgument desc = name must be 63 characters or fewer'));
  await assert.rejects(refused({}, ''), controlError('invalid-argument', 'rpc error: code = InvalidArgument desc = meta: name must be provided'));
  await assert.rejects(refused({ IPAM: { Config: [{ Subnet: '10.9.0.0/24', Gateway: '10.8.0.1' }] } }), controlError('invalid-argument', 'ipam configuration: subnet 10.9.0.0/24 does not contain gateway 10.8.0.1'));
  await assert.rejects(refused({ IPAM: { Config: [{ Subnet: '10.9.0.0/33' }] } }), controlError('invalid-argument', 'ipam configuration: invalid subnet 10.9.0.0/33'));
  await assert.rejects(refused({ Options: { 'com.docker.network.driver.mtu': 'big' } }), controlError('invalid-argument', /invalid MTU "big"/));
  await assert.rejects(refused({ Labels: { 'com.docker.swarm.internal': 'true' } }), controlError('permission-denied', /is for predefined internal networks/));
  await assert.rejects(refused({ ConfigOnly: true }), controlError('invalid-argument', /config-only networks/));
  assert.equal(sim.store.list('network').length, 2, 'nothing refused was stored');
});

test('network ls filters by driver, name, id, scope, type and label, like dockerd', async () => {
  const sim = cluster();
  const { Id: webId } = await createNetwork(sim.ctx, body('web-net', { Labels: { tier: 'front' } }));
  await createNetwork(sim.ctx, body('db-net', { Labels: { tier: 'back' } }));
  const names = (filters: Record<string, string[]>) => listNetworks(sim.ctx, { filters }).map((n) => n.Name).sort();
  assert.deepEqual(names({}), ['db-net', 'ingress', 'web-net']);
  assert.deepEqual(names({ name: ['net'] }), ['db-net', 'web-net'], 'name matches substrings');
  assert.deepEqual(names({ name: ['^web'] }), ['web-net']);
  assert.deepEqual(names({ id: [webId.slice(0, 5)] }), ['web-net']);
  assert.deepEqual(names({ driver: ['overlay'], scope: ['swarm'], type: ['custom'] }), ['db-net', 'ingress', 'web-net']);
  assert.deepEqual(names({ type: ['builtin'] }), []);
  assert.deepEqual(names({ label: ['tier=back'] }), ['db-net']);
  assert.deepEqual(names({ label: ['tier'] }), ['db-net', 'web-net']);
  assert.deepEqual(names({ driver: ['bridge'] }), []);
  assert.throws(() => names({ scope: ['planet'] }), controlError('invalid-argument', "Invalid filter: 'scope'='planet'"));
  assert.throws(() => names({ type: ['odd'] }), controlError('invalid-argument', "invalid filter: 'type'='odd'"));
});

test('network references resolve by full ID, name, then unique ID prefix', async () => {
  const sim = cluster();
  const { Id } = await createNetwork(sim.ctx, body('alpha'));
  assert.equal(getNetwork(sim.ctx, { id: Id }).Name, 'alpha');
  assert.equal(getNetwork(sim.ctx, { id: Id.slice(0, 6) }).Name, 'alpha');
  assert.throws(() => getNetwork(sim.ctx, { id: 'nosuch' }), controlError('not-found', 'network nosuch not found'));
  assert.throws(() => getNetwork(sim.ctx, { id: '' }), controlError('not-found', 'network  not found'));
});

test('network rm is refused while a service or a live task uses it, and ingress while a service publishes a port', async () => {
  const sim = cluster();
  const { Id } = await createNetwork(sim.ctx, body('busy'));
  sim.commit([{ op: 'create', table: 'service', object: { ID: 'svc1', Spec: { Name: 'web', TaskTemplate: { Networks: [{ Target: Id }] }, EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 8080 }] } } } }]);
  await assert.rejects(removeNetwork(sim.ctx, { id: 'busy' }), controlError('failed-precondition', `rpc error: code = FailedPrecondition desc = network ${Id} is in use by service svc1`));
  await assert.rejects(
    removeNetwork(sim.ctx, { id: 'ingress' }),
    controlError('failed-precondition', 'rpc error: code = FailedPrecondition desc = ingress network cannot be removed because service svc1 depends on it'),
  );
  sim.commit([
    { op: 'delete', table: 'service', id: 'svc1' },
    { op: 'create', table: 'task', object: { ID: 'task1', ServiceID: 'svc1', Spec: {}, Status: { State: 'running' }, NetworksAttachments: [{ Network: { ID: Id }, Addresses: ['10.0.1.3/24'] }] } as never },
  ]);
  await assert.rejects(removeNetwork(sim.ctx, { id: Id }), controlError('failed-precondition', /is in use by task task1/));
  sim.commit([{ op: 'update', table: 'task', object: { ...sim.store.get('task', 'task1')!, Status: { State: 'shutdown' } } as never }]);
  await removeNetwork(sim.ctx, { id: Id.slice(0, 8) });
  await removeNetwork(sim.ctx, { id: 'ingress' });
  await assert.rejects(removeNetwork(sim.ctx, { id: 'busy' }), controlError('not-found', 'network busy not found'));
  // Both freed subnets are handed out again, and ingress can be re-created with --ingress.
  await createNetwork(sim.ctx, body('ingress2', { Ingress: true }));
  await createNetwork(sim.ctx, body('again'));
  assert.deepEqual(['ingress2', 'again'].map((n) => getNetwork(sim.ctx, { id: n }).IPAM.Config[0]!.Subnet), ['10.0.0.0/24', '10.0.1.0/24']);
  assert.equal(getNetwork(sim.ctx, { id: 'ingress2' }).Ingress, true);
});

test('network rm and prune leave an attachable overlay while a standalone container on any node holds an address on it', async () => {
  const sim = cluster();
  sim.commit([{ op: 'create', table: 'node', object: { ID: 'node2', Spec: { Labels: {}, Role: 'worker', Availability: 'active' }, Description: { Hostname: 'h2' }, Status: { State: 'down', Addr: '198.51.100.3' } } }]);
  const { Id } = await createNetwork(sim.ctx, body('appnet', { Attachable: true }));
  const inUseBy = (container: string) => controlError('failed-precondition', `rpc error: code = FailedPrecondition desc = network ${Id} is in use by task ${container}`);
  // The only user is a container on another node than the leader's, and that node is Down.
  await attachContainer(sim.ctx, { nodeId: 'node2', network: 'appnet', containerId: 'c2', name: 'web' });
  await assert.rejects(removeNetwork(sim.ctx, { id: 'appnet' }), inUseBy('c2'));
  assert.deepEqual(await pruneNetworks(sim.ctx, {}), { NetworksDeleted: [] });
  await attachContainer(sim.ctx, { nodeId: 'node1', network: 'appnet', containerId: 'c1', name: 'db' });
  await detachContainer(sim.ctx, { nodeId: 'node2', containerId: 'c2' });
  await assert.rejects(removeNetwork(sim.ctx, { id: 'appnet' }), inUseBy('c1'));
  await detachContainer(sim.ctx, { nodeId: 'node1', containerId: 'c1', networkId: Id });
  await removeNetwork(sim.ctx, { id: 'appnet' });
  assert.deepEqual(listNetworks(sim.ctx, {}).map((n) => n.Name), ['ingress']);
});

test('network prune removes unused swarm networks except ingress, honouring label filters', async () => {
  const sim = cluster();
  const { Id: usedId } = await createNetwork(sim.ctx, body('used'));
  await createNetwork(sim.ctx, body('idle-a', { Labels: { keep: 'no' } }));
  await createNetwork(sim.ctx, body('idle-b', { Labels: { keep: 'yes' } }));
  sim.commit([{ op: 'create', table: 'service', object: { ID: 'svc1', Spec: { Name: 'web', TaskTemplate: { Networks: [{ Target: usedId }] } } } }]);
  assert.deepEqual(await pruneNetworks(sim.ctx, { filters: { 'label!': ['keep=yes'] } }), { NetworksDeleted: ['idle-a'] });
  assert.deepEqual(await pruneNetworks(sim.ctx, {}), { NetworksDeleted: ['idle-b'] });
  assert.deepEqual(listNetworks(sim.ctx, {}).map((n) => n.Name).sort(), ['ingress', 'used']);
  await assert.rejects(pruneNetworks(sim.ctx, { filters: { driver: ['overlay'] } }), controlError('invalid-argument', "invalid filter 'driver'"));
});

test('network inspect --verbose lists services with their VIP and attached tasks', async () => {
  const sim = cluster();
  const { Id } = await createNetwork(sim.ctx, body('app'));
  sim.commit([
    { op: 'create', table: 'service', object: { ID: 'svc1', Spec: { Name: 'web' }, Endpoint: { VirtualIPs: [{ NetworkID: Id, Addr: '10.0.1.2/24' }] } } as never },
    { op: 'create', table: 'task', object: { ID: 'task1', ServiceID: 'svc1', Slot: 1, NodeID: 'node1', Spec: {}, Status: { State: 'running' }, NetworksAttachments: [{ Network: { ID: Id }, Addresses: ['10.0.1.3/24'] }] } as never },
  ]);
  assert.deepEqual(getNetwork(sim.ctx, { id: 'app', verbose: true }).Services, {
    web: { VIP: '10.0.1.2', Ports: [], LocalLBIndex: 0, Tasks: [{ Name: 'web.1.task1', EndpointID: '', EndpointIP: '10.0.1.3', Info: { 'Host IP': '198.51.100.2' } }] },
  });
  assert.equal('Services' in getNetwork(sim.ctx, { id: 'app' }), false);
});

test('concurrent creates on one leader never share a subnet or VNI, even with slow commits', async () => {
  const sim = cluster();
  const commit = sim.ctx.commit;
  const slow = { ...sim.ctx, commit: async (actions: Parameters<typeof commit>[0]) => { await new Promise((r) => setTimeout(r, 5)); return commit(actions); } };
  await Promise.all(Array.from({ length: 6 }, (_, i) => createNetwork(slow, body(`n${i}`))));
  const shown = listNetworks(sim.ctx, {});
  assert.equal(new Set(shown.map((n) => n.IPAM.Config[0]!.Subnet)).size, 7);
  assert.equal(new Set(shown.map((n) => n.Options['com.docker.network.driver.overlay.vxlanid_list'])).size, 7);
});

test('concurrent creates plan against each other and commit in parallel without sharing a subnet or VNI', async () => {
  const sim = cluster();
  let inFlight = 0;
  let inFlightMax = 0;
  // A commit that takes a while, as a Raft round does: creates must not wait for each other's commits.
  const slowCtx = {
    ...sim.ctx,
    commit: async (actions: Parameters<typeof sim.ctx.commit>[0]) => {
      inFlight++;
      inFlightMax = Math.max(inFlightMax, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      sim.commit(actions);
    },
  };
  const names = Array.from({ length: 8 }, (_, i) => `par${i}`);
  await Promise.all(names.map((n) => createNetwork(slowCtx, body(n))));
  assert.ok(inFlightMax > 1, `commits overlapped (max in flight ${inFlightMax})`);
  const created = listNetworks(sim.ctx, {}).filter((n) => names.includes(n.Name));
  assert.equal(created.length, 8);
  assert.equal(new Set(created.map((n) => n.IPAM.Config[0]?.Subnet)).size, 8);
  assert.equal(new Set(created.map((n) => n.Options['com.docker.network.driver.overlay.vxlanid_list'])).size, 8);
  await assert.rejects(
    Promise.all([createNetwork(slowCtx, body('twin')), createNetwork(slowCtx, body('twin'))]),
    controlError('conflict', 'network with name twin already exists'),
  );
});
