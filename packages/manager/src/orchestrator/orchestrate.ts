// One orchestration pass over the whole store: for every replicated and global service, reconcile
// each slot, roll updates forward, give new tasks their network addresses, then clean up. Pure: the
// same store, time and IDs give the same plan, however the pass is paced (steps.ts).
import { IpamState } from '../allocator/index.js';
import { isGlobal, replicasOf } from '../control/service-spec.js';
import type { StoreView } from '../store/memory-store.js';
import type { NodeObject, ServiceObject } from '../store/objects.js';
import { satisfiesAll } from '../scheduler/constraints.js';
import { rank } from '../tasks/lifecycle.js';
import { nodeIsDown, timeOf, type Pass, type RolloutMemory } from './pass.js';
import { Plan } from './plan.js';
import { reap } from './reaper.js';
import { rollout, type SlotState } from './rollout.js';
import { reconcileSlot, retire, slotTasks } from './slots.js';
import { Pacer, runToEnd, type Steps } from './steps.js';
import { attach } from './task-factory.js';

export interface OrchestrateInput {
  readonly view: StoreView;
  readonly nowMs: number;
  readonly newId: () => string;
  readonly rollout: Map<string, RolloutMemory>;
}

/** The whole pass at once. */
export function orchestrate(input: OrchestrateInput): Plan {
  return runToEnd(orchestrateInSteps(input));
}

/** The pass in steps; the view must not change while it runs (see MemoryStore.frozenView). */
export function* orchestrateInSteps(input: OrchestrateInput): Steps<Plan> {
  const plan = new Plan(input.view);
  let ipam: IpamState | undefined;
  const derive = () =>
    (ipam ??= IpamState.derive({
      networks: input.view.list('network'),
      services: input.view.list('service'),
      tasks: input.view.list('task'),
      nodes: input.view.list('node'),
    }));
  const pass: Pass = { ...input, time: new Date(input.nowMs).toISOString(), plan, ipam: derive, pace: new Pacer() };
  yield* plan.index(pass.pace);
  for (const service of input.view.list('service')) {
    if (replicasOf(service.Spec) !== undefined) yield* reconcileReplicated(pass, service);
    else if (isGlobal(service.Spec)) yield* reconcileGlobal(pass, service);
  }
  yield* allocateNewTasks(pass);
  yield* reap(pass);
  return plan;
}

function* reconcileReplicated(pass: Pass, service: ServiceObject): Steps<void> {
  const replicas = replicasOf(service.Spec)!;
  const slots: SlotState[] = [];
  for (let slot = 1; slot <= replicas; slot++) {
    if (pass.pace.due()) yield;
    const ref = { slot };
    slots.push({ ref, healthy: reconcileSlot(pass, service, ref, slotTasks(pass, service.ID, ref)) });
  }
  // Scaled down: slots above the replica count go, highest first.
  for (const task of pass.plan.tasksOf(service.ID)) {
    if (pass.pace.due()) yield;
    if (task.Slot > replicas && rank(task.DesiredState) <= rank('running')) retire(pass, task, 'remove');
  }
  yield* rollout(pass, service, slots);
}

/** A global service runs on every node that is up, not drained, and satisfies its constraints. */
export function globalNodeWanted(node: NodeObject, service: ServiceObject): boolean {
  return !nodeIsDown(node) && node.Spec.Availability !== 'drain' && satisfiesAll(node, service.Spec.TaskTemplate.Placement?.Constraints);
}

function* reconcileGlobal(pass: Pass, service: ServiceObject): Steps<void> {
  const slots: SlotState[] = [];
  const wanted = new Set<string>();
  for (const node of pass.view.list('node')) {
    if (pass.pace.due()) yield;
    if (!globalNodeWanted(node, service)) continue;
    wanted.add(node.ID);
    const ref = { slot: 0, nodeId: node.ID };
    slots.push({ ref, healthy: reconcileSlot(pass, service, ref, slotTasks(pass, service.ID, ref)) });
  }
  for (const task of pass.plan.tasksOf(service.ID)) {
    if (task.NodeID !== undefined && !wanted.has(task.NodeID) && rank(task.DesiredState) <= rank('running')) retire(pass, task, 'shutdown');
  }
  yield* rollout(pass, service, slots);
}

function* allocateNewTasks(pass: Pass): Steps<void> {
  for (const service of pass.view.list('service')) {
    for (const task of pass.plan.tasksOf(service.ID)) {
      if (pass.pace.due()) yield;
      if (task.Status.State !== 'new' || rank(task.DesiredState) > rank('running')) continue;
      const changes = attach(pass.view, pass.ipam, service, task, timeOf(pass));
      const { Status, ...rest } = changes;
      if (Object.keys(rest).length > 0) pass.plan.patch(task.ID, rest);
      if (Status) {
        // Still `new`: record why, once (an unchanged reason must not be written again and again).
        if (Status.State !== task.Status.State) pass.plan.setStatus(task.ID, Status);
        else if (Status.Err !== task.Status.Err) pass.plan.patch(task.ID, { Status });
      }
    }
  }
}
