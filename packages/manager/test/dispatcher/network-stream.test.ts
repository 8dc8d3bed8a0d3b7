// The networks an agent receives with its assignments: on a real MemoryStore, a node with a task on an
// overlay gets the network with every running endpoint cluster-wide (MAC from the address, vtep =
// the endpoint's node address) and its services; then only what changes; endpoints of stopped tasks
// and of down nodes go; the network goes once the node has no task on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssignmentStream, type AssignmentChanges } from '../../src/dispatcher/assignments.js';
import { ingressAttachmentActions } from '../../src/dispatcher/ingress-attachments.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Draft, NetworkObject, NodeObject, ServiceObject, TaskObject, TaskState } from '../../src/store/objects.js';
import type { Action } from '../../src/store/transaction.js';

const TIME = '2030-01-15T12:00:00.000Z';

/** Streams send what a turn's commits changed once that turn is over. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

function harness() {
  const store = new MemoryStore();
  let index = 0;
  const apply = async (actions: readonly Action[]) => {
    const r = store.apply(++index, { actions, time: TIME });
    assert.ok(r.ok);
    await turn();
  };
  return { store, apply };
}

const node = (id: string, addr: string, state: NodeObject['Status']['State'] = 'ready'): Draft<NodeObject> =>
  ({ ID: id, Spec: { Labels: {}, Role: 'worker', Availability: 'active' }, Description: { Hostname: id }, Status: { State: state, Addr: addr } }) as Draft<NodeObject>;

const network: Draft<NetworkObject> = {
  ID: 'net0000000000000000000001',
  Spec: {
    Name: 'ov1', Labels: {}, Driver: 'overlay', Options: { 'com.docker.network.driver.mtu': '1400' },
    IPAM: { Driver: 'default', Options: {}, Config: [] }, Internal: false, Attachable: true, Ingress: false,
  },
  Allocation: { Vni: 4097, Subnet: '10.77.0.0/24', Gateway: '10.77.0.1' },
} as Draft<NetworkObject>;

const service: Draft<ServiceObject> = {
  ID: 'svc1',
  Spec: { Name: 'web', TaskTemplate: { Networks: [{ Target: network.ID, Aliases: ['www'] }] } },
  Endpoint: { Spec: { Mode: 'vip' }, VirtualIPs: [{ NetworkID: network.ID, Addr: '10.77.0.2/24' }] },
} as Draft<ServiceObject>;

function task(id: string, slot: number, nodeId: string, ip: string, state: TaskState, desired: TaskState = 'running'): Draft<TaskObject> {
  return {
    ID: id, Labels: {}, Spec: {}, ServiceID: 'svc1', Slot: slot, NodeID: nodeId, DesiredState: desired,
    Status: { Timestamp: TIME, State: state, Message: '', PortStatus: {} },
    NetworksAttachments: [{ Network: { ID: network.ID }, Addresses: [`${ip}/24`] }],
  } as Draft<TaskObject>;
}

function follow(store: MemoryStore, nodeId: string) {
  const messages: { kind: string; changes: AssignmentChanges }[] = [];
  const stream = new AssignmentStream(store, nodeId, { write: (kind, changes) => messages.push({ kind, changes: JSON.parse(JSON.stringify(changes)) as AssignmentChanges }) });
  stream.start();
  return { messages, stream };
}

test('a node gets its tasks\' networks with endpoints cluster-wide, then only the changes', async () => {
  const { store, apply } = harness();
  await apply([
    { op: 'create', table: 'node', object: node('nodeA', '198.51.100.2') },
    { op: 'create', table: 'node', object: node('nodeB', '198.51.100.3') },
    { op: 'create', table: 'network', object: network },
    { op: 'create', table: 'service', object: service },
    { op: 'create', table: 'task', object: task('taskA', 1, 'nodeA', '10.77.0.3', 'running') },
    { op: 'create', table: 'task', object: task('taskB', 2, 'nodeB', '10.77.0.4', 'starting') },
  ]);
  const { messages, stream } = follow(store, 'nodeA');
  const full = messages[0]!;
  assert.equal(full.kind, 'full');
  assert.deepEqual(full.changes.networks.map((n) => n.Network), [
    { ID: network.ID, Name: 'ov1', Vni: 4097, Subnet: '10.77.0.0/24', Gateway: '10.77.0.1', Mtu: 1400, Internal: false, Encrypted: false, Attachable: true, Ingress: false },
  ]);
  const net = full.changes.networks[0]!;
  assert.deepEqual(net.Endpoints, [
    { ID: 'taskA', ServiceID: 'svc1', NodeID: 'nodeA', Names: ['web.1.taskA', 'web.1'], Addr: '10.77.0.3', Mac: '02:42:0a:4d:00:03', Vtep: '198.51.100.2', Host: 'nodeA' },
  ], 'a task that does not run yet has no endpoint');
  assert.deepEqual(net.Services, [{ ID: 'svc1', Name: 'web', Mode: 'vip', Vip: '10.77.0.2', Aliases: ['www'], Ports: [] }]);

  // The task on the other node starts: one endpoint record, nothing else.
  await apply([{ op: 'update', table: 'task', object: task('taskB', 2, 'nodeB', '10.77.0.4', 'running') }]);
  const started = messages.at(-1)!.changes;
  assert.deepEqual(started.tasks, []);
  assert.deepEqual(started.networks.map((n) => [n.Endpoints.map((e) => [e.ID, e.Vtep]), n.RemovedEndpoints, n.Services]), [[[['taskB', '198.51.100.3']], [], []]]);

  // A commit that changes nothing about the node's networks or tasks sends nothing.
  const count = messages.length;
  await apply([{ op: 'create', table: 'node', object: node('nodeC', '198.51.100.4') }]);
  assert.equal(messages.length, count);

  // Its node goes down: the endpoint goes everywhere.
  await apply([{ op: 'update', table: 'node', object: node('nodeB', '198.51.100.3', 'down') }]);
  assert.deepEqual(messages.at(-1)!.changes.networks.map((n) => n.RemovedEndpoints), [['taskB']]);

  // The node's own task stops: it stays assigned (its container keeps its logs) but the network is no longer the node's business.
  await apply([{ op: 'update', table: 'task', object: task('taskA', 1, 'nodeA', '10.77.0.3', 'shutdown', 'shutdown') }]);
  const last = messages.at(-1)!.changes;
  assert.deepEqual(last.removed, []);
  assert.deepEqual(last.removedNetworks, [network.ID]);
  // Deleted (the task history dropped it): it leaves the assignments, and the agent removes its container.
  await apply([{ op: 'delete', table: 'task', id: 'taskA' }]);
  assert.deepEqual(messages.at(-1)!.changes.removed, ['taskA']);
  stream.stop();
});

test('every node knows the ingress network; once a service publishes through the routing mesh, each gets an address on it to join it', async () => {
  const { store, apply } = harness();
  const ingress = { ...network, ID: 'ing0000000000000000000001', Spec: { ...network.Spec, Name: 'ingress', Ingress: true, Options: {} }, Allocation: { Vni: 4096, Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' } } as Draft<NetworkObject>;
  await apply([
    { op: 'create', table: 'node', object: node('nodeA', '198.51.100.2') },
    { op: 'create', table: 'node', object: node('nodeB', '198.51.100.3') },
    { op: 'create', table: 'network', object: ingress },
  ]);
  assert.deepEqual(ingressAttachmentActions(store).actions, [], 'nothing publishes yet');
  const { messages } = follow(store, 'nodeA');
  assert.deepEqual(messages[0]!.changes.networks.map((n) => [n.Network.Name, n.LoadBalancer]), [['ingress', undefined]], 'listed, not joined');
  await apply([{ op: 'create', table: 'service', object: { ...service, Spec: { Name: 'web', TaskTemplate: {} }, Endpoint: { Spec: { Mode: 'vip' }, Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }], VirtualIPs: [{ NetworkID: ingress.ID, Addr: '10.0.0.2/24' }] } } as Draft<ServiceObject> }]);
  const { actions } = ingressAttachmentActions(store);
  assert.equal(actions.length, 2);
  await apply(actions);
  const addresses = store.list('node').map((n) => (n as unknown as { Attachments: { Addresses: string[] }[] }).Attachments[0]!.Addresses[0]);
  assert.equal(new Set(addresses).size, 2, 'one address each');
  assert.ok(addresses.every((a) => a !== '10.0.0.2/24' && a?.startsWith('10.0.0.')));
  assert.deepEqual(ingressAttachmentActions(store).actions, [], 'done once');
  const change = messages.at(-1)!.changes.networks.find((n) => n.Network.ID === ingress.ID)!;
  assert.ok(change.LoadBalancer !== undefined && addresses.includes(change.LoadBalancer), 'the node learns its own ingress address');
  assert.deepEqual(change.Endpoints.map((e) => e.ID).sort(), ['lb-nodeA', 'lb-nodeB'], 'every ingress-sbox is a peer');
  const services = messages.flatMap((m) => m.changes.networks.flatMap((n) => n.Services));
  assert.deepEqual(services.map((s) => s.Ports), [[{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }]]);
});

test('endpoints name their node\'s data-path address as vtep when its agent reports one, else the node address', async () => {
  const { store, apply } = harness();
  const withDataPath = (id: string, addr: string, dataPath: string) =>
    ({ ...node(id, addr), Description: { Hostname: id, DataPathAddr: dataPath } }) as Draft<NodeObject>;
  await apply([
    { op: 'create', table: 'node', object: withDataPath('nodeA', '198.51.100.2', '198.51.100.102') },
    { op: 'create', table: 'node', object: node('nodeB', '198.51.100.3') },
    { op: 'create', table: 'network', object: network },
    { op: 'create', table: 'service', object: service },
    { op: 'create', table: 'task', object: task('taskA', 1, 'nodeA', '10.77.0.3', 'running') },
    { op: 'create', table: 'task', object: task('taskB', 2, 'nodeB', '10.77.0.4', 'running') },
  ]);
  const { messages, stream } = follow(store, 'nodeB');
  const vteps = (m: { changes: AssignmentChanges }) => Object.fromEntries(m.changes.networks[0]!.Endpoints.map((e) => [e.ID, e.Vtep]));
  assert.deepEqual(vteps(messages[0]!), { taskA: '198.51.100.102', taskB: '198.51.100.3' });
  // The agent comes back with another data-path address: its endpoints follow.
  const nodeA = store.get('node', 'nodeA')!;
  await apply([{ op: 'update', table: 'node', expectedVersion: nodeA.Version.Index, object: { ...nodeA, Description: { Hostname: 'nodeA', DataPathAddr: '198.51.100.202' } } }]);
  assert.deepEqual(vteps(messages.at(-1)!), { taskA: '198.51.100.202' });
  stream.stop();
});
