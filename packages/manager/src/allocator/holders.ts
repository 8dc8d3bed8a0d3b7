// Where store objects record the addresses they hold, in the shapes the Engine API shows them:
//   service: Endpoint.VirtualIPs[]          { NetworkID, Addr: "10.0.1.2/24" }   (one VIP per network)
//   task:    NetworksAttachments[]          { Network: { ID }, Addresses: ["10.0.1.3/24"] }
//   node:    Attachments[]                  { Network: { ID }, Addresses: ["10.0.1.5/24"] } (load balancer)
// An address is held exactly while an object carries it: releasing is removing it from the object.
import type { Holder } from './address-pool.js';

export interface HeldAddress {
  readonly holder: Holder;
  readonly networkId: string;
  /** As stored: "a.b.c.d/len". */
  readonly address: string;
}

export interface VirtualIp {
  readonly NetworkID: string;
  readonly Addr: string;
}

export interface NetworkAttachment {
  readonly Network: { readonly ID: string } & Record<string, unknown>;
  readonly Addresses: readonly string[];
}

type Loose = Record<string, unknown>;

function records(value: unknown): Loose[] {
  return Array.isArray(value) ? value.filter((v): v is Loose => typeof v === 'object' && v !== null) : [];
}

function attachments(holder: Holder, list: unknown): HeldAddress[] {
  return records(list).flatMap((a) => {
    const networkId = (a.Network as Loose | undefined)?.ID;
    if (typeof networkId !== 'string') return [];
    return (Array.isArray(a.Addresses) ? a.Addresses : [])
      .filter((x): x is string => typeof x === 'string')
      .map((address) => ({ holder, networkId, address }));
  });
}

export function serviceAddresses(service: { readonly ID: string } & object): HeldAddress[] {
  const endpoint = (service as Loose).Endpoint as Loose | undefined;
  const holder: Holder = { kind: 'service', id: service.ID };
  return records(endpoint?.VirtualIPs).flatMap((v) =>
    typeof v.NetworkID === 'string' && typeof v.Addr === 'string' ? [{ holder, networkId: v.NetworkID, address: v.Addr }] : [],
  );
}

export function taskAddresses(task: { readonly ID: string } & object): HeldAddress[] {
  return attachments({ kind: 'task', id: task.ID }, (task as Loose).NetworksAttachments);
}

export function nodeAddresses(node: { readonly ID: string } & object): HeldAddress[] {
  return attachments({ kind: 'node', id: node.ID }, (node as Loose).Attachments);
}
