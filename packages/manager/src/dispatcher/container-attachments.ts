// Standalone containers on attachable overlays (`docker run --network NAME`): the container's node asks
// the leader for an address on the network, which is kept in node.Attachments with the container's ID,
// name and aliases (the addresses a node holds count in IPAM like those of tasks), and handed back with
// the network's parameters; the directory then lists it as an endpoint (peers, DNS by container name).
// Agents call these through Control.Call (see services/control-service.ts), for their own node only.
import { AllocatorError, IpamState } from '../allocator/index.js';
import type { ControlContext } from '../control/context.js';
import { ControlError } from '../control/errors.js';
import { asControlError, withAllocationLock } from '../control/network-ops.js';
import { resolveNetwork } from '../control/network-view.js';
import type { NodeObject } from '../store/objects.js';
import { networkInfo, type NetworkInfo } from './network-directory.js';

/** A node attachment: a container's (with ContainerID) or the node's load balancer (without). */
export interface NodeAttachment {
  readonly Network: { readonly ID: string };
  readonly Addresses: readonly string[];
  readonly ContainerID?: string;
  readonly Name?: string;
  readonly Aliases?: readonly string[];
}

export function nodeAttachments(node: NodeObject | undefined): NodeAttachment[] {
  const list = (node as { Attachments?: unknown } | undefined)?.Attachments;
  return Array.isArray(list) ? (list as NodeAttachment[]) : [];
}

export interface AttachRequest {
  readonly nodeId: string;
  /** Network name, ID or ID prefix. */
  readonly network: string;
  readonly containerId: string;
  readonly name: string;
  readonly aliases?: readonly string[];
  /** The address the user asked for (`network connect --ip`); default: the next free one. */
  readonly address?: string;
}

export interface AttachResult {
  readonly network: NetworkInfo;
  /** "a.b.c.d/len" */
  readonly address: string;
}

function withNodeAttachments(node: NodeObject, attachments: readonly NodeAttachment[]): NodeObject {
  return { ...node, Attachments: attachments } as NodeObject;
}

export function attachContainer(ctx: ControlContext, req: AttachRequest): Promise<AttachResult> {
  return withAllocationLock(async () => {
    const node = ctx.view.get('node', req.nodeId);
    if (node === undefined) throw new ControlError('not-found', `node ${req.nodeId} not found`);
    const candidates = ctx.view.list('network').map((n) => ({ Id: n.ID, Name: n.Spec.Name, n }));
    let network;
    try {
      network = resolveNetwork(candidates, req.network).n;
    } catch (err) {
      throw new ControlError('not-found', `network ${req.network} not found`, { cause: err });
    }
    if (!network.Spec.Attachable) {
      throw new ControlError('permission-denied', `Could not attach to network ${req.network}: rpc error: code = PermissionDenied desc = network ${req.network} not manually attachable`);
    }
    const existing = nodeAttachments(node).find((a) => a.ContainerID === req.containerId && a.Network.ID === network.ID);
    if (existing?.Addresses[0] !== undefined) return { network: networkInfo(network), address: existing.Addresses[0] };
    refuseNameTaken(ctx, network.ID, network.Spec.Name, req);
    const state = IpamState.derive({ networks: ctx.view.list('network'), services: ctx.view.list('service'), tasks: ctx.view.list('task'), nodes: ctx.view.list('node') });
    let address: string;
    try {
      address = state.allocate(network.ID, { kind: 'node', id: node.ID }, req.address);
    } catch (err) {
      throw err instanceof AllocatorError ? asControlError(err) : err;
    }
    const attachment: NodeAttachment = { Network: { ID: network.ID }, Addresses: [address], ContainerID: req.containerId, Name: req.name, Aliases: [...(req.aliases ?? [])] };
    await ctx.commit([{ op: 'update', table: 'node', expectedVersion: node.Version.Index, object: withNodeAttachments(node, [...nodeAttachments(node), attachment]) }]);
    return { network: networkInfo(network), address };
  });
}

/**
 * Endpoint names are unique on a network, as in libnetwork: DNS answers a name with one container. A
 * container of the same name on another node already attached is refused with dockerd's message.
 */
function refuseNameTaken(ctx: ControlContext, networkId: string, networkName: string, req: AttachRequest): void {
  const taken = ctx.view
    .list('node')
    .some((n) => nodeAttachments(n).some((a) => a.Network.ID === networkId && a.Name === req.name && a.ContainerID !== undefined && a.ContainerID !== req.containerId));
  if (taken) throw new ControlError('permission-denied', `endpoint with name ${req.name} already exists in network ${networkName}`);
}

export interface DetachRequest {
  readonly nodeId: string;
  readonly containerId: string;
  /** Only the attachment on this network (its ID; `network disconnect`); default: every one the container holds. */
  readonly networkId?: string;
}

/** Frees the addresses the container holds on the node; a no-op when it holds none. */
export function detachContainer(ctx: ControlContext, req: DetachRequest): Promise<Record<string, never>> {
  return withAllocationLock(async () => {
    const node = ctx.view.get('node', req.nodeId);
    const kept = nodeAttachments(node).filter((a) => a.ContainerID !== req.containerId || (req.networkId !== undefined && a.Network.ID !== req.networkId));
    if (node === undefined || kept.length === nodeAttachments(node).length) return {};
    await ctx.commit([{ op: 'update', table: 'node', expectedVersion: node.Version.Index, object: withNodeAttachments(node, kept) }]);
    return {};
  });
}

/** Operations an agent may run for its own node through Control.Call (the nodeId is its certificate's). */
export const agentOperations = {
  attachContainer: (ctx: ControlContext, p: AttachRequest) => attachContainer(ctx, p),
  detachContainer: (ctx: ControlContext, p: DetachRequest) => detachContainer(ctx, p),
};
export const AGENT_OPERATIONS: ReadonlySet<string> = new Set(Object.keys(agentOperations));
