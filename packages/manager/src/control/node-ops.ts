// Nodes as `node ls/inspect/update/rm` see and change them. MANAGER STATUS is derived from the live
// Raft view at read time, never stored, so it cannot go stale in the store.
import type { NodeObject, NodeSpec } from '../store/objects.js';
import type { ControlContext, RaftMembership } from './context.js';
import { ControlError } from './errors.js';

export type Filters = Readonly<Record<string, readonly string[]>>;

export const NODE_FILTERS = ['id', 'label', 'name', 'node.label', 'membership', 'role'] as const;

export function nodeView(node: NodeObject, raft: RaftMembership): Record<string, unknown> {
  const { ManagerStatus, ...rest } = node;
  // The data-path address travels in the description for the managers' use; dockerd shows it nowhere.
  const { DataPathAddr: _dataPath, ...description } = node.Description;
  const view: Record<string, unknown> = { ...rest, Description: description };
  if (ManagerStatus && node.Spec.Role === 'manager') {
    const member = raft.members().find((m) => m.nodeId === node.ID);
    const leader = raft.leaderId === node.ID;
    view.ManagerStatus = {
      ...(leader ? { Leader: true } : {}),
      Reachability: leader || member?.reachable ? 'reachable' : 'unreachable',
      Addr: ManagerStatus.Addr,
    };
  }
  return view;
}

/** Resolves a node by full ID, then exact name/hostname, then unique ID prefix, like dockerd. */
export function findNode(ctx: ControlContext, ref: string): NodeObject {
  const nodes = ctx.view.list('node');
  const exact = nodes.find((n) => n.ID === ref);
  if (exact) return exact;
  const named = nodes.filter((n) => n.Spec.Name === ref || n.Description.Hostname === ref);
  if (named.length === 1) return named[0]!;
  const prefixed = nodes.filter((n) => n.ID.startsWith(ref));
  if (prefixed.length === 1 && ref.length > 0) return prefixed[0]!;
  if (named.length > 1 || prefixed.length > 1) {
    throw new ControlError('invalid-argument', `node ${ref} is ambiguous (${named.length || prefixed.length} matches found)`);
  }
  throw new ControlError('not-found', `node ${ref} not found`);
}

export function listNodes(ctx: ControlContext, filters: Filters): Record<string, unknown>[] {
  return ctx.view
    .list('node')
    .filter((n) => matchesNodeFilters(n, filters))
    .sort((a, b) => a.ID.localeCompare(b.ID))
    .map((n) => nodeView(n, ctx.raft));
}

function matchesNodeFilters(node: NodeObject, filters: Filters): boolean {
  const any = (key: string, test: (value: string) => boolean) => {
    const values = filters[key];
    return !values || values.length === 0 || values.some(test);
  };
  const labelMatch = (labels: Record<string, string>) => (expr: string) => {
    const [k, v] = expr.split('=', 2) as [string, string | undefined];
    return v === undefined ? k in labels : labels[k] === v;
  };
  const engineLabels = ((node.Description.Engine as { Labels?: Record<string, string> } | undefined)?.Labels) ?? {};
  return (
    any('id', (v) => node.ID.startsWith(v)) &&
    any('name', (v) => (node.Spec.Name ?? node.Description.Hostname).startsWith(v) || node.Description.Hostname.startsWith(v)) &&
    any('role', (v) => node.Spec.Role === v) &&
    any('membership', (v) => v === 'accepted') &&
    any('node.label', labelMatch(node.Spec.Labels)) &&
    any('label', labelMatch(engineLabels))
  );
}

export async function updateNode(ctx: ControlContext, ref: string, version: number, spec: Partial<NodeSpec>): Promise<void> {
  const node = findNode(ctx, ref);
  const next: NodeSpec = {
    ...node.Spec,
    ...spec,
    Labels: spec.Labels ?? {},
    Role: spec.Role ?? node.Spec.Role,
    Availability: spec.Availability ?? node.Spec.Availability,
  };
  if (!['manager', 'worker'].includes(next.Role)) throw new ControlError('invalid-argument', `invalid role: ${next.Role}`);
  if (!['active', 'pause', 'drain'].includes(next.Availability)) {
    throw new ControlError('invalid-argument', `invalid availability: ${next.Availability}`);
  }
  if (node.Spec.Role === 'manager' && next.Role === 'worker') assertDemotable(ctx, node);
  await ctx.commit([{ op: 'update', table: 'node', expectedVersion: version, object: { ...node, Spec: next } }]);
}

function assertDemotable(ctx: ControlContext, node: NodeObject): void {
  const managers = ctx.view.list('node').filter((n) => n.Spec.Role === 'manager');
  if (managers.length <= 1) {
    throw new ControlError('failed-precondition', 'rpc error: code = FailedPrecondition desc = attempting to demote the last manager of the swarm');
  }
  const members = ctx.raft.members();
  const reachableAfter = members.filter((m) => m.nodeId !== node.ID && (m.reachable || m.nodeId === ctx.raft.leaderId)).length;
  const quorumAfter = Math.floor((members.length - 1) / 2) + 1;
  if (members.some((m) => m.nodeId === node.ID) && reachableAfter < quorumAfter) {
    throw new ControlError(
      'failed-precondition',
      `rpc error: code = FailedPrecondition desc = can't remove member from the raft: this would result in a loss of quorum`,
    );
  }
}

export async function removeNode(ctx: ControlContext, ref: string, force: boolean): Promise<void> {
  const node = findNode(ctx, ref);
  if (node.Spec.Role === 'manager') {
    throw new ControlError(
      'failed-precondition',
      `rpc error: code = FailedPrecondition desc = node ${node.ID} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`,
    );
  }
  if (!force && node.Status.State !== 'down') {
    throw new ControlError(
      'failed-precondition',
      `rpc error: code = FailedPrecondition desc = node ${node.ID} is not down and can't be removed`,
    );
  }
  await ctx.commit([{ op: 'delete', table: 'node', id: node.ID }]);
}
