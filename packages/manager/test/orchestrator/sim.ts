// A leader without Raft or timers: control operations and loop passes over a MemoryStore, run to a
// fixpoint at a time the test chooses, and an agent stand-in that reports task states.
import { createService, updateService } from '../../src/control/service-ops.js';
import { orchestrate } from '../../src/orchestrator/orchestrate.js';
import type { RolloutMemory } from '../../src/orchestrator/pass.js';
import { schedule } from '../../src/scheduler/schedule.js';
import type { TaskObject, TaskState } from '../../src/store/objects.js';
import { applyStatusReports } from '../../src/tasks/status-reports.js';
import { FakeControl } from '../control/fake-context.js';

export const T0_MS = Date.parse('2030-01-15T12:00:00.000Z');

export class Sim {
  readonly control = new FakeControl();
  readonly rollout = new Map<string, RolloutMemory>();
  nowMs = T0_MS;
  wakeAtMs: number | undefined;
  #ids = 0;

  get store() {
    return this.control.store;
  }

  constructor(nodes: readonly string[]) {
    this.control.commit([
      {
        op: 'create',
        table: 'cluster',
        object: {
          ID: 'cluster',
          Spec: { Orchestration: { TaskHistoryRetentionLimit: 5 } } as never,
          DefaultAddrPool: ['10.0.0.0/8'],
          SubnetSize: 24,
          DataPathPort: 4789,
          JoinTokens: { Worker: '', Manager: '' },
          RootCA: { CertPem: '', KeyPem: '' },
        },
      },
    ]);
    for (const name of nodes) this.control.addNode({ id: name, hostname: name });
  }

  /** Runs orchestrator and scheduler passes until neither changes anything. */
  settle(): void {
    for (let i = 0; i < 50; i++) {
      const plan = orchestrate({ view: this.store, nowMs: this.nowMs, newId: () => `t${++this.#ids}`, rollout: this.rollout });
      this.wakeAtMs = plan.wakeAtMs;
      let changed = false;
      for (const actions of plan.transactions()) {
        this.control.commit(actions);
        changed = true;
      }
      for (const actions of schedule(this.store, new Date(this.nowMs).toISOString()).transactions()) {
        this.control.commit(actions);
        changed = true;
      }
      if (!changed) return;
    }
    throw new Error('the loops did not settle in 50 passes');
  }

  async create(spec: Record<string, unknown>): Promise<string> {
    const { ID } = await createService(this.control.ctx, spec);
    this.settle();
    return ID;
  }

  async update(id: string, change: (spec: Record<string, any>) => void, rollback = false): Promise<void> {
    const service = this.store.get('service', id)!;
    const spec = structuredClone(service.Spec) as Record<string, any>;
    change(spec);
    await updateService(this.control.ctx, { id, version: service.Version.Index, spec, ...(rollback ? { rollback: 'previous' } : {}) });
    this.settle();
  }

  tasks(serviceId: string): TaskObject[] {
    return this.store.list('task').filter((t) => t.ServiceID === serviceId);
  }

  live(serviceId: string): TaskObject[] {
    return this.tasks(serviceId).filter((t) => t.DesiredState === 'running');
  }

  /** The agent on each task's node reports `state` for every task matching `which`. */
  async report(which: (t: TaskObject) => boolean, state: TaskState, extra: Record<string, unknown> = {}): Promise<void> {
    const byNode = new Map<string, TaskObject[]>();
    for (const t of this.store.list('task').filter(which)) if (t.NodeID) byNode.set(t.NodeID, [...(byNode.get(t.NodeID) ?? []), t]);
    for (const [nodeId, tasks] of byNode) {
      const reports = tasks.map((t) => ({ taskId: t.ID, status: { Timestamp: new Date(this.nowMs).toISOString(), State: state, Message: state, PortStatus: {}, ...extra } }));
      await applyStatusReports(this.control.ctx, { nodeId, reports });
    }
    this.settle();
  }

  /**
   * Every assigned task that should run is reported running, one that should wait prepared (a
   * stop-first replacement) ready, and every one that should stop, shut down.
   */
  async agentsConverge(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const before = this.store.appliedIndex;
      await this.report((t) => t.DesiredState === 'running' && ['assigned', 'accepted', 'preparing', 'starting'].includes(t.Status.State), 'running');
      await this.report((t) => t.DesiredState === 'ready' && ['assigned', 'accepted', 'preparing'].includes(t.Status.State), 'ready');
      await this.report((t) => t.DesiredState === 'running' && t.Status.State === 'ready', 'running');
      await this.report((t) => !['ready', 'running'].includes(t.DesiredState) && ['assigned', 'accepted', 'preparing', 'ready', 'starting', 'running'].includes(t.Status.State), 'shutdown');
      if (this.store.appliedIndex === before) return;
    }
  }

  setNode(id: string, change: { state?: 'ready' | 'down'; availability?: 'active' | 'pause' | 'drain' }): void {
    const node = this.store.get('node', id)!;
    this.control.commit([
      {
        op: 'update',
        table: 'node',
        object: { ...node, Spec: { ...node.Spec, Availability: change.availability ?? node.Spec.Availability }, Status: { ...node.Status, State: change.state ?? node.Status.State } },
      },
    ]);
    this.settle();
  }
}

export function spec(name: string, extra: Record<string, unknown> = {}, template: Record<string, unknown> = {}): Record<string, unknown> {
  return { Name: name, TaskTemplate: { ContainerSpec: { Image: 'busybox' }, ...template }, Mode: { Replicated: { Replicas: 3 } }, ...extra };
}

export function perNode(tasks: readonly TaskObject[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tasks) if (t.NodeID) out[t.NodeID] = (out[t.NodeID] ?? 0) + 1;
  return out;
}
