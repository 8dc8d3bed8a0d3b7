import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ACTIONS_PER_TRANSACTION, Plan } from '../../src/orchestrator/plan.js';
import { newTask } from '../../src/orchestrator/task-factory.js';
import { Sim, spec } from './sim.js';

test('a large plan is committed in transactions of bounded size, the service update in the first', async () => {
  const sim = new Sim(['n1']);
  const id = await sim.create(spec('web', { Mode: { Replicated: { Replicas: 1 } } }));
  const service = sim.store.get('service', id)!;
  const plan = new Plan(sim.store);
  plan.updateService({ ...service, UpdateStatus: { State: 'completed', Message: 'update completed' } });
  const count = 2 * MAX_ACTIONS_PER_TRANSACTION + 7;
  for (let i = 0; i < count; i++) plan.create(newTask(service, { id: `x${i}`, time: '2030-01-15T12:00:00.000Z', slot: 100 + i }));
  const txns = plan.transactions();
  assert.deepEqual(txns.map((t) => t.length), [MAX_ACTIONS_PER_TRANSACTION, MAX_ACTIONS_PER_TRANSACTION, 8]);
  assert.equal(txns[0]![0]!.table, 'service');
  assert.equal(txns.flat().filter((a) => a.table === 'task').length, count);
  assert.throws(() => plan.transactions(0), /maxActions must be at least 1, got 0/);
});
