// Managers entering and leaving the Raft group. The store records where each manager listens
// (ManagerStatus.Addr) before Raft adds it, so every member can reach a new voter as soon as it counts.
import type { ControlContext } from './context.js';
import { ControlError } from './errors.js';

export interface ManagerSeat {
  readonly nodeId: string;
  readonly addr: string;
}

export async function addManager(ctx: ControlContext, req: { nodeId: string; addr: string }): Promise<ManagerSeat[]> {
  const node = ctx.view.get('node', req.nodeId);
  if (!node) throw new ControlError('permission-denied', `node ${req.nodeId} was removed from the swarm`);
  if (node.Spec.Role !== 'manager') {
    throw new ControlError('permission-denied', `node ${req.nodeId} is not a manager: permission denied`);
  }
  if (node.ManagerStatus?.Addr !== req.addr) {
    await ctx.commit([{ op: 'update', table: 'node', expectedVersion: node.Version.Index, object: { ...node, ManagerStatus: { Addr: req.addr } } }]);
  }
  if (!ctx.raft.members().some((m) => m.nodeId === req.nodeId)) await ctx.raft.addMember(req.nodeId);
  return seats(ctx);
}

export async function removeManager(ctx: ControlContext, req: { nodeId: string }): Promise<void> {
  if (!ctx.raft.members().some((m) => m.nodeId === req.nodeId)) return;
  const remaining = ctx.raft.members().filter((m) => m.nodeId !== req.nodeId);
  if (remaining.length === 0) {
    throw new ControlError('failed-precondition', 'rpc error: code = FailedPrecondition desc = the last manager cannot leave the raft group');
  }
  await ctx.raft.removeMember(req.nodeId);
}

export function seats(ctx: ControlContext): ManagerSeat[] {
  return ctx.raft.members().flatMap((m) => {
    const addr = ctx.view.get('node', m.nodeId)?.ManagerStatus?.Addr;
    return addr ? [{ nodeId: m.nodeId, addr }] : [];
  });
}
