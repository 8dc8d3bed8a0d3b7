// Control operations by name: the one list the Engine API (through Manager.call) and the Control gRPC
// service (forwarding from followers) both dispatch through.
import type { ClusterSpec, NodeSpec } from '../store/objects.js';
import type { ControlContext } from './context.js';
import { joinNode, renewCertificate, type JoinRequest } from './ca-ops.js';
import { ControlError } from './errors.js';
import { addManager, removeManager } from './membership-ops.js';
import { networkOperations } from './network-registry.js';
import { agentOperations } from '../dispatcher/container-attachments.js';
import { secretOperations } from './secret-ops.js';
import { serviceOperations } from './service-registry.js';
import { findNode, listNodes, nodeView, removeNode, updateNode, type Filters } from './node-ops.js';
import { clusterObject, swarmView, updateSwarm } from './swarm-ops.js';

type Operation = (ctx: ControlContext, payload: any) => unknown;

const operations: Record<string, Operation> = {
  getSwarm: (ctx) => swarmView(clusterObject(ctx)),
  updateSwarm: (ctx, p: { version: number; spec: Partial<ClusterSpec>; rotateWorkerToken: boolean; rotateManagerToken: boolean }) =>
    updateSwarm(ctx, p),
  listNodes: (ctx, p: { filters: Filters }) => listNodes(ctx, p.filters ?? {}),
  getNode: (ctx, p: { id: string }) => nodeView(findNode(ctx, p.id), ctx.raft),
  updateNode: (ctx, p: { id: string; version: number; spec: Partial<NodeSpec> }) => updateNode(ctx, p.id, p.version, p.spec),
  removeNode: (ctx, p: { id: string; force: boolean }) => removeNode(ctx, p.id, p.force),
  joinNode: (ctx, p: JoinRequest) => joinNode(ctx, p),
  renewCertificate: (ctx, p: { nodeId: string; csrPem: string }) => renewCertificate(ctx, p),
  addManager: (ctx, p: { nodeId: string; addr: string }) => addManager(ctx, p),
  removeManager: (ctx, p: { nodeId: string }) => removeManager(ctx, p),
  managerCount: (ctx) => ({
    members: ctx.raft.members().length,
    reachable: ctx.raft.members().filter((m) => m.reachable || m.nodeId === ctx.raft.leaderId).length,
  }),
  ...networkOperations,
  ...serviceOperations,
  ...secretOperations,
  ...agentOperations,
};

/** Extension point: later capabilities (networks, services, tasks) register their operations here. */
export function registerOperations(more: Record<string, Operation>): void {
  for (const [name, op] of Object.entries(more)) {
    if (operations[name]) throw new Error(`control operation ${name} registered twice`);
    operations[name] = op;
  }
}

export async function runOperation(ctx: ControlContext, method: string, payload: unknown): Promise<unknown> {
  const op = operations[method];
  if (!op) throw new ControlError('not-implemented', `unknown control operation ${method}`);
  return (await op(ctx, payload ?? {})) ?? null;
}
