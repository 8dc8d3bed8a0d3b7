// Swarm networks as this node has them: the overlays its data plane instantiated, with the containers
// attached here (dockerd's `Containers` in `network inspect`) and the other hosts with endpoints on
// them (`Peers`). A worker lists exactly these; a manager adds Containers/Peers to the leader's view.
import type { Dataplane, LocalNetworkView } from '@shoal/agent';
import type { NetworkResource } from '@shoal/manager';
import { endpointId } from './container-endpoints.js';

const VXLAN_ID_OPTION = 'com.docker.network.driver.overlay.vxlanid_list';

export interface NodeOverlay {
  readonly resource: NetworkResource;
  readonly containers: Record<string, unknown>;
  readonly peers: readonly { readonly Name: string; readonly IP: string }[];
}

/** A task's container as the route shows it in Containers. */
export type ContainerOfSandbox = (sandboxId: string) => { readonly id: string; readonly name: string } | undefined;

function resource(view: LocalNetworkView): NetworkResource {
  const i = view.info;
  const options: Record<string, string> = { [VXLAN_ID_OPTION]: String(i.Vni) };
  if (i.Mtu !== undefined) options['com.docker.network.driver.mtu'] = String(i.Mtu);
  if (i.Encrypted) options.encrypted = '';
  return {
    Name: i.Name,
    Id: i.ID,
    Created: '0001-01-01T00:00:00Z',
    Scope: 'swarm',
    Driver: 'overlay',
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: i.Subnet, Gateway: i.Gateway }] },
    Internal: i.Internal,
    Attachable: i.Attachable,
    Ingress: i.Ingress,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: null,
    Options: Object.fromEntries(Object.entries(options).sort(([a], [b]) => (a < b ? -1 : 1))),
    Labels: null,
  };
}

export function nodeOverlays(dataplane: Dataplane | null, containerOf: ContainerOfSandbox): NodeOverlay[] {
  if (dataplane === null) return [];
  return dataplane.localNetworks().map((view) => {
    const containers: Record<string, unknown> = {};
    for (const sb of view.sandboxes) {
      const c = containerOf(sb.id);
      // dockerd lists the routing mesh's sandbox as "ingress-sbox" with the name "ingress-endpoint".
      const name = c?.name ?? (sb.id === 'ingress-sbox' ? 'ingress-endpoint' : sb.id);
      containers[c?.id ?? sb.id] = { Name: name, EndpointID: endpointId(sb.id, view.info.ID), MacAddress: sb.mac, IPv4Address: `${sb.ip}/${sb.prefixLen}`, IPv6Address: '' };
    }
    return { resource: resource(view), containers, peers: view.nodes.map((n) => ({ Name: n.name, IP: n.ip })) };
  });
}
