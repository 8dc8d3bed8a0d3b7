// The `Services` section of `network inspect --verbose`, from the manager's view: each service with
// a VIP on the network, and the tasks attached to it with their endpoint addresses.
import type { StoreView } from '../store/memory-store.js';
import type { NetworkObject } from '../store/objects.js';

type Loose = Record<string, unknown>;

interface ServiceEntry {
  VIP: string;
  Ports: string[];
  LocalLBIndex: number;
  Tasks: { Name: string; EndpointID: string; EndpointIP: string; Info: Record<string, string> }[];
}

function list(value: unknown): Loose[] {
  return Array.isArray(value) ? value.filter((v): v is Loose => typeof v === 'object' && v !== null) : [];
}

const bare = (address: unknown) => (typeof address === 'string' ? (address.split('/')[0] ?? '') : '');

const noVip = (): ServiceEntry => ({ VIP: '<nil>', Ports: [], LocalLBIndex: 0, Tasks: [] });

export function verboseServices(view: StoreView, network: NetworkObject): Record<string, ServiceEntry> {
  const out: Record<string, ServiceEntry> = {};
  for (const service of view.list('service')) {
    const endpoint = (service as unknown as Loose).Endpoint as Loose | undefined;
    const vip = list(endpoint?.VirtualIPs).find((v) => v.NetworkID === network.ID);
    if (vip) out[service.Spec.Name] = { ...noVip(), VIP: bare(vip.Addr) };
  }
  for (const task of view.list('task') as unknown as Loose[]) {
    const attachment = list(task.NetworksAttachments).find((a) => (a.Network as Loose | undefined)?.ID === network.ID);
    if (!attachment) continue;
    // Tasks without a service are containers attached with `docker run --network`: dockerd lists them under "".
    const serviceName = view.get('service', String(task.ServiceID ?? ''))?.Spec.Name ?? '';
    const entry = (out[serviceName] ??= noVip());
    const slot = typeof task.Slot === 'number' && task.Slot > 0 ? task.Slot : task.NodeID;
    const node = typeof task.NodeID === 'string' ? view.get('node', task.NodeID) : undefined;
    const addresses = Array.isArray(attachment.Addresses) ? (attachment.Addresses as unknown[]) : [];
    entry.Tasks.push({
      Name: serviceName === '' ? String(task.ID) : `${serviceName}.${String(slot)}.${String(task.ID)}`,
      EndpointID: '',
      EndpointIP: bare(addresses[0]),
      Info: { 'Host IP': node?.Status.Addr ?? '' },
    });
  }
  return out;
}
