import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlError, createRootCa, defaultClusterSpec, verifyCaAgainstToken, type RootCa } from '@shoal/manager';
import { initialClusterActions, type InitRequest } from '../../src/swarm/init.js';

let root: Promise<RootCa> | null = null;
const ca = () => (root ??= createRootCa());

async function actions(req: InitRequest) {
  const description = { Hostname: 'host-a' };
  const all = initialClusterActions(req, { clusterId: 'c1', nodeId: 'n1', ca: await ca(), managerAddr: '10.0.0.1:2377', nodeAddr: '10.0.0.1', description });
  return [created(all, 'cluster'), created(all, 'node')] as const;
}

/** The object one create action of `table` writes (init may create other tables' objects too). */
function created(all: readonly unknown[], table: string): Record<string, any> {
  const found = all.filter((a) => (a as { op: string; table: string }).op === 'create' && (a as { table: string }).table === table);
  assert.equal(found.length, 1, `one ${table} created`);
  return (found[0] as { object: Record<string, any> }).object;
}

function invalid(message: string) {
  return (err: unknown) => err instanceof ControlError && err.code === 'invalid-argument' && err.message === message;
}

test('swarm init with what the docker CLI sends by default creates Docker\'s default cluster and this node as a ready manager', async () => {
  const [cluster, node] = await actions({ ListenAddr: '0.0.0.0:2377', Spec: { Raft: { ElectionTick: 0 } }, DefaultAddrPool: null, SubnetSize: 0, DataPathPort: 0, Availability: '' });
  const c = cluster as { Spec: unknown; DefaultAddrPool: string[]; SubnetSize: number; DataPathPort: number; JoinTokens: { Worker: string; Manager: string }; RootCA: { CertPem: string } };
  assert.deepEqual(c.Spec, defaultClusterSpec);
  assert.deepEqual([c.DefaultAddrPool, c.SubnetSize, c.DataPathPort], [['10.0.0.0/8'], 24, 4789]);
  assert.notEqual(c.JoinTokens.Worker, c.JoinTokens.Manager);
  verifyCaAgainstToken(c.RootCA.CertPem, c.JoinTokens.Worker);
  verifyCaAgainstToken(c.RootCA.CertPem, c.JoinTokens.Manager);
  assert.deepEqual(
    { spec: node.Spec, status: node.Status, manager: node.ManagerStatus },
    { spec: { Labels: {}, Role: 'manager', Availability: 'active' }, status: { State: 'ready', Addr: '10.0.0.1' }, manager: { Addr: '10.0.0.1:2377' } },
  );
});

test('swarm init takes address pools, mask length, data path port and availability', async () => {
  const [cluster, node] = await actions({ DefaultAddrPool: ['10.20.0.0/16', '10.30.0.0/16'], SubnetSize: 26, DataPathPort: 7777, Availability: 'drain' });
  const c = cluster as { DefaultAddrPool: string[]; SubnetSize: number; DataPathPort: number };
  assert.deepEqual([c.DefaultAddrPool, c.SubnetSize, c.DataPathPort], [['10.20.0.0/16', '10.30.0.0/16'], 26, 7777]);
  assert.equal(node.Spec.Availability, 'drain');
});

test('swarm init refuses bad pools, mask lengths, data path ports, availability and cluster settings', async () => {
  await assert.rejects(actions({ DefaultAddrPool: ['10.0.0.0'] }), invalid('invalid default address pool 10.0.0.0'));
  await assert.rejects(actions({ DefaultAddrPool: ['300.0.0.0/8'] }), invalid('invalid default address pool 300.0.0.0/8'));
  await assert.rejects(actions({ DefaultAddrPool: ['10.0.0.0/16'], SubnetSize: 8 }), invalid('invalid default address pool mask length 8: smaller than the pool 10.0.0.0/16'));
  await assert.rejects(actions({ SubnetSize: 30 }), invalid('invalid subnet size 30: must be between 1 and 29'));
  await assert.rejects(actions({ DataPathPort: 80 }), invalid('data path port 80 is out of the range 1024-49151'));
  await assert.rejects(actions({ DataPathPort: 50000 }), invalid('data path port 50000 is out of the range 1024-49151'));
  await assert.rejects(actions({ Availability: 'away' as never }), invalid('invalid availability "away": must be active, pause or drain'));
  await assert.rejects(actions({ Spec: { CAConfig: { NodeCertExpiry: 60 * 1e9 } } }), invalid('minimum certificate expiry time is: 1h0m0s'));
});
