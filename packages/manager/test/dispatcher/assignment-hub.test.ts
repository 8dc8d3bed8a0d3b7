// Which assignment streams look at a commit: on a real MemoryStore, with members that record when the
// hub has them look. A node's change concerns its own stream; a change of the network directory
// concerns the streams that follow the networks it touched; a node with nothing on a network changes
// no directory however often its state flips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssignmentHub, type HubMember } from '../../src/dispatcher/assignment-hub.js';
import { DirectoryKeeper } from '../../src/dispatcher/network-directory.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Draft, NetworkObject, NodeObject, TaskObject } from '../../src/store/objects.js';
import type { Action } from '../../src/store/transaction.js';

const TIME = '2030-01-15T12:00:00.000Z';
const NET = 'net0000000000000000000001';
const turn = () => new Promise((resolve) => setImmediate(resolve));

const node = (id: string): Draft<NodeObject> =>
  ({ ID: id, Spec: { Labels: {}, Role: 'worker', Availability: 'active' }, Description: { Hostname: id }, Status: { State: 'ready', Addr: `198.51.100.${id.charCodeAt(0)}` } }) as Draft<NodeObject>;

const network = {
  ID: NET,
  Spec: { Name: 'ov1', Labels: {}, Driver: 'overlay', Options: {}, IPAM: { Driver: 'default', Options: {}, Config: [] }, Internal: false, Attachable: false, Ingress: false },
  Allocation: { Vni: 4097, Subnet: '10.77.0.0/24', Gateway: '10.77.0.1' },
} as Draft<NetworkObject>;

const taskOnNetwork = {
  ID: 'taskB', Labels: {}, Spec: {}, ServiceID: 'svc1', Slot: 1, NodeID: 'b', DesiredState: 'running',
  Status: { Timestamp: TIME, State: 'running', Message: '', PortStatus: {} },
  NetworksAttachments: [{ Network: { ID: NET }, Addresses: ['10.77.0.3/24'] }],
} as Draft<TaskObject>;

function setup() {
  const store = new MemoryStore();
  let index = 0;
  const apply = (actions: readonly Action[]) => assert.ok(store.apply(++index, { actions, time: TIME }).ok);
  apply([...['a', 'b', 'c'].map((id): Action => ({ op: 'create', table: 'node', object: node(id) })), { op: 'create', table: 'network', object: network }, { op: 'create', table: 'task', object: taskOnNetwork }]);
  const update = (id: string, change: (n: NodeObject) => NodeObject) => apply([{ op: 'update', table: 'node', object: change(store.get('node', id)!) }]);
  return { store, apply, update };
}

test('a node\'s change has only its own stream look; a directory change, only the streams on the networks it touched', async () => {
  const { store, update } = setup();
  const hub = new AssignmentHub(store);
  const looked: string[] = [];
  const member = (nodeId: string, networks: string[]): HubMember => ({
    nodeId,
    follow: () => true,
    reload: () => {},
    follows: (ids) => networks.some((id) => ids.has(id)),
    flush: () => looked.push(nodeId),
  });
  hub.join(member('a', []));
  hub.join(member('b', [NET]));
  const leaveC = hub.join(member('c', [NET]));

  update('a', (n) => ({ ...n, Spec: { ...n.Spec, Labels: { x: '1' } } }));
  await turn();
  assert.deepEqual(looked.splice(0), ['a']);

  // c has nothing on the network: its state changes no endpoint anyone follows.
  update('c', (n) => ({ ...n, Status: { ...n.Status, State: 'down' } }));
  await turn();
  assert.deepEqual(looked.splice(0), ['c']);

  // b's task is on the network: b going down takes its endpoint away from whoever follows the network.
  update('b', (n) => ({ ...n, Status: { ...n.Status, State: 'down' } }));
  await turn();
  assert.deepEqual(looked.splice(0).sort(), ['b', 'c']);

  leaveC();
  update('b', (n) => ({ ...n, Status: { ...n.Status, State: 'ready' } }));
  await turn();
  assert.deepEqual(looked.splice(0), ['b'], 'a stream that left is not asked');
});

test('the directory is rebuilt after commits that can change it, and kept across those that cannot', () => {
  const { store, update } = setup();
  const keeper = new DirectoryKeeper(store);
  store.subscribe((event) => keeper.note(event));
  const first = keeper.current();
  assert.deepEqual([...first.networks.get(NET)!.endpoints.keys()], ['taskB']);

  update('a', (n) => ({ ...n, Status: { ...n.Status, State: 'down' } }));
  assert.equal(keeper.current(), first, 'a node with nothing on a network');

  update('b', (n) => ({ ...n, Description: { ...n.Description, DataPathAddr: '198.51.100.200' } }));
  const second = keeper.current();
  assert.notEqual(second, first);
  assert.equal(second.networks.get(NET)!.endpoints.get('taskB')!.value.Vtep, '198.51.100.200', 'the endpoint follows its node\'s data-path address');

  update('a', (n) => ({ ...n, Status: { ...n.Status, State: 'ready' }, Attachments: [{ Network: { ID: NET }, Addresses: ['10.77.0.9/24'], ContainerID: 'c1', Name: 'web' }] }) as NodeObject);
  assert.deepEqual([...keeper.current().networks.get(NET)!.endpoints.keys()].sort(), ['c1', 'taskB'], 'a standalone container joined');
  update('a', (n) => ({ ...n, Attachments: [] }) as NodeObject);
  assert.deepEqual([...keeper.current().networks.get(NET)!.endpoints.keys()], ['taskB'], 'and left');
});
