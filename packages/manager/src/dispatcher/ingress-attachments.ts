// Every node's load-balancer address on the ingress network (its ingress-sbox, through which the
// routing mesh reaches tasks on any node), allocated by the leader once a service publishes a port in
// ingress mode, and kept in node.Attachments like swarmkit's node LB attachments.
import { AllocatorError, IpamState, allocateNodeLbAddress } from '../allocator/index.js';
import type { StoreView } from '../store/memory-store.js';
import type { NodeObject } from '../store/objects.js';
import type { Action } from '../store/transaction.js';
import { nodeAttachments } from './container-attachments.js';
import { nodeLbAddresses } from './network-directory.js';


/** The node updates that give each node lacking one an address on the ingress network; [] when none is needed. */
export function ingressAttachmentActions(view: StoreView): { actions: Action[]; error?: string } {
  const ingress = view.list('network').find((n) => n.Spec.Ingress);
  if (ingress === undefined) return { actions: [] };
  const meshActive = view.list('service').some((s) => (s.Endpoint?.Ports ?? []).some((p) => p.PublishMode === 'ingress'));
  if (!meshActive) return { actions: [] };
  const missing = view.list('node').filter((n) => !nodeLbAddresses(n).has(ingress.ID));
  if (missing.length === 0) return { actions: [] };
  const state = IpamState.derive({ networks: view.list('network'), services: view.list('service'), tasks: view.list('task'), nodes: view.list('node') });
  const actions: Action[] = [];
  for (const node of missing) {
    let address: string;
    try {
      address = allocateNodeLbAddress(state, node.ID, ingress.ID);
    } catch (err) {
      if (!(err instanceof AllocatorError)) throw err;
      return { actions, error: err.message };
    }
    const kept = nodeAttachments(node).filter((a) => view.get('network', a.Network.ID) !== undefined);
    const next = { ...node, Attachments: [...kept, { Network: { ID: ingress.ID }, Addresses: [address] }] } as NodeObject;
    actions.push({ op: 'update', table: 'node', expectedVersion: node.Version.Index, object: next });
  }
  return { actions };
}
