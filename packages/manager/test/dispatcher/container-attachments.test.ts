import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressPools } from '../../src/allocator/index.js';
import { ControlError } from '../../src/control/errors.js';
import { createNetwork, ingressNetworkDraft } from '../../src/control/network-ops.js';
import { attachContainer, detachContainer, nodeAttachments } from '../../src/dispatcher/container-attachments.js';
import { SimManager, prng } from '../allocator/sim-manager.js';

function rejects(code: ControlError['code'], message: string) {
  return (err: unknown) => {
    assert.ok(err instanceof ControlError, `expected a ControlError, got ${String(err)}`);
    assert.deepEqual([err.code, err.message], [code, message]);
    return true;
  };
}

/** A leader after `swarm init` with two nodes and an attachable overlay `test-net` (10.0.1.0/24). */
async function cluster(): Promise<{ sim: SimManager; networkId: string }> {
  const sim = new SimManager(prng(7));
  const cluster = { ID: 'cluster1', Spec: {}, DefaultAddrPool: ['10.0.0.0/8'], SubnetSize: 24, DataPathPort: 4789, JoinTokens: { Worker: '', Manager: '' }, RootCA: { CertPem: '', KeyPem: '' } };
  const node = (id: string) => ({ ID: id, Spec: { Labels: {}, Role: 'worker' as const, Availability: 'active' as const }, Description: { Hostname: id }, Status: { State: 'ready' as const, Addr: '198.51.100.2' } });
  sim.commit([
    { op: 'create', table: 'cluster', object: cluster as never },
    { op: 'create', table: 'network', object: ingressNetworkDraft('ingressid0000000000000000', addressPools(['10.0.0.0/8'], 24)) },
    { op: 'create', table: 'node', object: node('nodeA') },
    { op: 'create', table: 'node', object: node('nodeB') },
  ]);
  const { Id } = await createNetwork(sim.ctx, {
    Driver: 'overlay', IPAM: { Driver: 'default', Options: {}, Config: [] }, Attachable: true, Options: {}, Labels: {}, Name: 'test-net',
  } as never);
  return { sim, networkId: Id };
}

const held = (sim: SimManager, node: string) => nodeAttachments(sim.store.get('node', node)).map((a) => [a.ContainerID, a.Network.ID, a.Addresses[0], a.Aliases]);

test('attachContainer gives the address asked for, with the aliases, and refuses one in use', async () => {
  const { sim, networkId } = await cluster();
  const a = await attachContainer(sim.ctx, { nodeId: 'nodeA', network: 'test-net', containerId: 'c1', name: 'web', aliases: ['www'], address: '10.0.1.50' });
  assert.equal(a.address, '10.0.1.50/24');
  assert.deepEqual(held(sim, 'nodeA'), [['c1', networkId, '10.0.1.50/24', ['www']]]);
  await assert.rejects(
    attachContainer(sim.ctx, { nodeId: 'nodeB', network: 'test-net', containerId: 'c2', name: 'db', address: '10.0.1.50' }),
    (err: unknown) => err instanceof ControlError && /10\.0\.1\.50 is already in use on network test-net/.test(err.message),
  );
});

test('attachContainer refuses a second container of the same name on the network, on any node', async () => {
  const { sim } = await cluster();
  await attachContainer(sim.ctx, { nodeId: 'nodeA', network: 'test-net', containerId: 'c1', name: 'web' });
  await assert.rejects(
    attachContainer(sim.ctx, { nodeId: 'nodeB', network: 'test-net', containerId: 'c2', name: 'web' }),
    rejects('permission-denied', 'endpoint with name web already exists in network test-net'),
  );
  // The same container asking again keeps its address.
  const again = await attachContainer(sim.ctx, { nodeId: 'nodeA', network: 'test-net', containerId: 'c1', name: 'web' });
  assert.equal(again.address, nodeAttachments(sim.store.get('node', 'nodeA'))[0]!.Addresses[0]);
});

test('detachContainer with a network frees only that attachment; without, all of the container', async () => {
  const { sim, networkId } = await cluster();
  const other = (await createNetwork(sim.ctx, { Driver: 'overlay', IPAM: { Driver: 'default', Options: {}, Config: [] }, Attachable: true, Options: {}, Labels: {}, Name: 'other' } as never)).Id;
  await attachContainer(sim.ctx, { nodeId: 'nodeA', network: 'test-net', containerId: 'c1', name: 'web' });
  await attachContainer(sim.ctx, { nodeId: 'nodeA', network: 'other', containerId: 'c1', name: 'web' });
  await attachContainer(sim.ctx, { nodeId: 'nodeA', network: 'test-net', containerId: 'c2', name: 'db' });
  await detachContainer(sim.ctx, { nodeId: 'nodeA', containerId: 'c1', networkId });
  assert.deepEqual(held(sim, 'nodeA').map(([c, n]) => [c, n]), [['c1', other], ['c2', networkId]]);
  await detachContainer(sim.ctx, { nodeId: 'nodeA', containerId: 'c1' });
  assert.deepEqual(held(sim, 'nodeA').map(([c, n]) => [c, n]), [['c2', networkId]]);
});
