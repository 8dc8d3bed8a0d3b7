// Random sequences of network create/remove, VIP/task/load-balancer allocation and release, and leader
// failover, with the uniqueness invariants checked after every step. Each run prints its seed;
// SEED=n replays one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpamState, allocateNodeLbAddress, allocateServiceVips, allocateTaskAddresses, overlaps, parseCidr, parseIpv4, planNetworkAllocation, addressPools } from '../../src/allocator/index.js';
import { ControlError } from '../../src/control/errors.js';
import { createNetwork, removeNetwork } from '../../src/control/network-ops.js';
import type { StoreView } from '../../src/store/memory-store.js';
import { SimManager, prng } from './sim-manager.js';

const STEPS = 300;
const POOL = ['10.10.0.0/22'];
const SUBNET_SIZE = 26;

function setup(sim: SimManager): void {
  const cluster = { ID: 'cluster', Spec: {}, DefaultAddrPool: POOL, SubnetSize: SUBNET_SIZE, DataPathPort: 4789, JoinTokens: { Worker: '', Manager: '' }, RootCA: { CertPem: '', KeyPem: '' } };
  const nodes = ['node-a', 'node-b', 'node-c'].map((id) => ({
    ID: id,
    Spec: { Labels: {}, Role: 'worker' as const, Availability: 'active' as const },
    Description: { Hostname: id },
    Status: { State: 'ready' as const, Addr: '198.51.100.1' },
  }));
  sim.commit([{ op: 'create', table: 'cluster', object: cluster as never }, ...nodes.map((object) => ({ op: 'create' as const, table: 'node' as const, object }))]);
}

/** The invariants users rely on: no shared VNI, no overlapping subnets, no address with two live holders. */
function checkInvariants(view: StoreView, where: string): void {
  const networks = view.list('network');
  const vnis = networks.map((n) => n.Allocation.Vni);
  assert.equal(new Set(vnis).size, vnis.length, `${where}: duplicate VNI in ${vnis.join(',')}`);
  for (const [i, a] of networks.entries()) {
    const sa = parseCidr(a.Allocation.Subnet)!;
    const gw = parseIpv4(a.Allocation.Gateway)!;
    assert.ok(gw > sa.base && gw < sa.base + 2 ** (32 - sa.prefixLength) - 1, `${where}: gateway of ${a.Spec.Name} outside its subnet`);
    for (const b of networks.slice(i + 1)) {
      assert.ok(!overlaps(sa, parseCidr(b.Allocation.Subnet)!), `${where}: ${a.Allocation.Subnet} overlaps ${b.Allocation.Subnet}`);
    }
  }
  const state = IpamState.derive({ networks, services: view.list('service'), tasks: view.list('task'), nodes: view.list('node') });
  assert.deepEqual(state.conflicts, [], `${where}: addresses with two holders or outside their network`);
}

function derive(view: StoreView): IpamState {
  return IpamState.derive({ networks: view.list('network'), services: view.list('service'), tasks: view.list('task'), nodes: view.list('node') });
}

/** Only the refusals a user may legitimately see; anything else fails the run. */
function expectedRefusal(err: unknown): void {
  if (!(err instanceof ControlError)) throw err;
  assert.match(err.message, /overlaps|exhausted|no free|already in use|is in use by|already exists|already present/, err.message);
}

async function runSeed(seed: number): Promise<{ created: number; failovers: number; allocations: number }> {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
  let sim = new SimManager(random);
  setup(sim);
  const stats = { created: 0, failovers: 0, allocations: 0 };
  for (let step = 0; step < STEPS; step++) {
    const view = sim.store;
    const networks = view.list('network');
    const roll = random();
    try {
      if (roll < 0.2) {
        const subnet = random() < 0.3 ? [{ Subnet: `10.10.${Math.floor(random() * 8)}.${Math.floor(random() * 8) * 32}/27` }] : [];
        const vni = random() < 0.15 ? { Options: { 'com.docker.network.driver.overlay.vxlanid_list': String(4096 + Math.floor(random() * 24)) } } : {};
        await createNetwork(sim.ctx, { Name: `net${step}`, Driver: 'overlay', IPAM: { Config: subnet }, ...vni });
        stats.created++;
      } else if (roll < 0.3) {
        const victim = pick(networks);
        if (victim) await removeNetwork(sim.ctx, { id: victim.ID });
      } else if (roll < 0.45) {
        const targets = networks.filter(() => random() < 0.5).map((n) => n.ID);
        const id = sim.newId();
        const VirtualIPs = allocateServiceVips(derive(view), id, targets);
        sim.commit([{ op: 'create', table: 'service', object: { ID: id, Spec: { Name: `svc${step}`, TaskTemplate: { Networks: targets.map((Target) => ({ Target })) } }, Endpoint: { VirtualIPs } } as never }]);
        stats.allocations += targets.length;
      } else if (roll < 0.65) {
        const service = pick(view.list('service')) as { ID: string; Spec: { TaskTemplate: { Networks: { Target: string }[] } } } | undefined;
        if (service) {
          const targets = service.Spec.TaskTemplate.Networks.map((n) => n.Target);
          const id = sim.newId();
          const attachments = allocateTaskAddresses(derive(view), id, targets).map((a) => ({ Network: { ID: a.NetworkID }, Addresses: a.Addresses }));
          sim.commit([{ op: 'create', table: 'task', object: { ID: id, ServiceID: service.ID, Spec: {}, Status: { State: 'running' }, DesiredState: 'running', NetworksAttachments: attachments } as never }]);
          stats.allocations += targets.length;
        }
      } else if (roll < 0.72) {
        const node = pick(view.list('node'))!;
        const network = pick(networks);
        const current = ((node as { Attachments?: { Network: { ID: string } }[] }).Attachments ?? []);
        if (network && !current.some((a) => a.Network.ID === network.ID)) {
          const address = allocateNodeLbAddress(derive(view), node.ID, network.ID);
          sim.commit([{ op: 'update', table: 'node', object: { ...node, Attachments: [...current, { Network: { ID: network.ID }, Addresses: [address] }] } as never }]);
          stats.allocations++;
        }
      } else if (roll < 0.85) {
        const task = pick(view.list('task'));
        if (task) sim.commit([{ op: 'delete', table: 'task', id: task.ID }]);
      } else if (roll < 0.92) {
        const service = pick(view.list('service'));
        if (service) {
          const tasks = view.list('task').filter((t) => t.ServiceID === service.ID);
          sim.commit([...tasks.map((t) => ({ op: 'delete' as const, table: 'task' as const, id: t.ID })), { op: 'delete', table: 'service', id: service.ID }]);
        }
      } else if (roll < 0.95) {
        const node = pick(view.list('node'))!;
        sim.commit([{ op: 'update', table: 'node', object: { ...node, Attachments: [] } as never }]);
      } else {
        const next = sim.failover();
        const pools = addressPools(POOL, SUBNET_SIZE);
        const before = planNetworkAllocation({ name: 'probe', ipam: [] }, networks, pools);
        assert.deepEqual(planNetworkAllocation({ name: 'probe', ipam: [] }, next.store.list('network'), pools), before, 'the new leader plans like the old one');
        assert.deepEqual(
          derive(next.store).networkIds().map((id) => derive(next.store).pool(id).entries()),
          derive(view).networkIds().map((id) => derive(view).pool(id).entries()),
        );
        sim = next;
        stats.failovers++;
      }
    } catch (err) {
      if (!(err instanceof Error && err.name === 'AllocatorError')) expectedRefusal(err);
      else assert.match(err.message, /exhausted|no free/, err.message);
    }
    checkInvariants(sim.store, `seed ${seed} step ${step}`);
  }
  return stats;
}

test('random create/remove/allocate/release/failover sequences keep VNIs, subnets and addresses unique', async (t) => {
  const seeds = process.env.SEED ? [Number(process.env.SEED)] : Array.from({ length: 25 }, (_, i) => 1000 + i * 7919);
  const totals = { created: 0, failovers: 0, allocations: 0 };
  for (const seed of seeds) {
    try {
      const stats = await runSeed(seed);
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += stats[k];
    } catch (err) {
      t.diagnostic(`failing seed: SEED=${seed}`);
      throw err;
    }
  }
  t.diagnostic(`seeds ${seeds.join(',')}: ${JSON.stringify(totals)}`);
  assert.ok(totals.created > 50 && totals.failovers > 10 && totals.allocations > 200, `the runs exercised too little: ${JSON.stringify(totals)}`);
});
