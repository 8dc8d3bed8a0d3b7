import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Candidates, spreadValue, type GroupOrder } from '../../src/scheduler/candidates.js';
import type { NodeInfo } from '../../src/scheduler/filters.js';
import type { NodeObject } from '../../src/store/objects.js';

function info(id: string, labels: Record<string, string>, serviceTasks: number, liveTasks: number): NodeInfo {
  const node = { ID: id, Spec: { Labels: labels, Role: 'worker', Availability: 'active' }, Description: { Hostname: id }, Status: { State: 'ready', Addr: '' } } as unknown as NodeObject;
  return { node, tasksByService: new Map([['svc', serviceTasks]]), liveTasks, reservedNanoCpus: 0, reservedMemoryBytes: 0 };
}

/** The scheduler's rule written out directly: group the remaining nodes level by level, then scan for the best. */
function naiveBest(order: GroupOrder, pool: NodeInfo[]): NodeInfo | undefined {
  const tasks = (i: NodeInfo) => i.tasksByService.get(order.serviceId) ?? 0;
  for (const descriptor of order.spreadOver) {
    if (pool.length === 0) break;
    const groups = new Map<string, NodeInfo[]>();
    for (const i of pool) groups.set(spreadValue(i.node, descriptor) ?? '', [...(groups.get(spreadValue(i.node, descriptor) ?? '') ?? []), i]);
    const load = (g: NodeInfo[]) => g.reduce((n, i) => n + tasks(i), 0);
    pool = [...groups].sort(([ka, a], [kb, b]) => load(a) - load(b) || ka.localeCompare(kb))[0]![1];
  }
  const cmp = (a: NodeInfo, b: NodeInfo) =>
    order.failures(a.node.ID) - order.failures(b.node.ID) || tasks(a) - tasks(b) || a.liveTasks - b.liveTasks || a.node.ID.localeCompare(b.node.ID);
  return [...pool].sort(cmp)[0];
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

test('a group is placed on the same nodes, in the same order, as a scan of every node per task', () => {
  const seed = Number(process.env.SEED ?? Date.now() % 1_000_000);
  for (let round = 0; round < 40; round++) {
    const rnd = random(seed + round);
    const pick = (n: number) => Math.floor(rnd() * n);
    const nodes = Array.from({ length: 1 + pick(30) }, (_, i) =>
      info(`n${String(i).padStart(2, '0')}`, { zone: `z${pick(3)}`, rack: `r${pick(2)}` }, pick(3), pick(6)),
    );
    const failed = new Map(nodes.filter(() => rnd() < 0.2).map((n) => [n.node.ID, 1 + pick(2)]));
    const levels = [[], ['node.labels.zone'], ['node.labels.zone', 'node.labels.rack'], ['node.labels.missing']][pick(4)]!;
    const order: GroupOrder = { serviceId: 'svc', spreadOver: levels, failures: (id) => failed.get(id) ?? 0 };
    const maxPerNode = 2 + pick(4);
    const fits = (i: NodeInfo) => (i.tasksByService.get('svc') ?? 0) < maxPerNode;
    // Two copies of the same cluster: one placed through Candidates, one through the naive rule.
    const copy = (list: NodeInfo[]) => list.map((i) => ({ ...i, tasksByService: new Map(i.tasksByService) }));
    const fast = copy(nodes);
    const slow = copy(nodes);
    const candidates = new Candidates(order, fast.filter(fits));
    for (let task = 0; task < 60; task++) {
      const expected = naiveBest(order, slow.filter(fits));
      const chosen = candidates.best();
      assert.equal(chosen?.node.ID, expected?.node.ID, `seed ${seed + round}, task ${task}`);
      if (!chosen || !expected) break;
      for (const i of [chosen, expected]) {
        i.tasksByService.set('svc', (i.tasksByService.get('svc') ?? 0) + 1);
        i.liveTasks++;
      }
      candidates.placed(chosen, fits(chosen));
    }
  }
});

test('a node that no longer fits leaves the group, and best() is undefined once none is left', () => {
  const a = info('a', {}, 0, 0);
  const b = info('b', {}, 0, 5);
  const candidates = new Candidates({ serviceId: 'svc', spreadOver: [], failures: () => 0 }, [b, a]);
  assert.equal(candidates.best(), a);
  a.tasksByService.set('svc', 1);
  candidates.placed(a, false);
  assert.equal(candidates.best(), b);
  b.tasksByService.set('svc', 1);
  candidates.placed(b, false);
  assert.equal(candidates.best(), undefined);
});

test('placed() on a node best() did not return is a broken invariant', () => {
  const a = info('a', {}, 0, 0);
  const b = info('b', {}, 0, 1);
  const candidates = new Candidates({ serviceId: 'svc', spreadOver: [], failures: () => 0 }, [a, b]);
  assert.throws(() => candidates.placed(b, true), /placed\(\) on a node best\(\) did not return/);
});
