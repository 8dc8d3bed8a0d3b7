// A bridge network as `network ls/inspect` show it: the default one lists only its subnet and has
// IPAM Options null, as dockerd's; user-defined ones list subnet and gateway.
import type { NetworkResource } from '@shoal/manager';
import { localNetwork, type LocalNetworkFacts } from '../local.js';
import type { BridgeNetwork } from './store.js';

export function bridgeResource(facts: LocalNetworkFacts, n: BridgeNetwork, containers: Record<string, unknown>): NetworkResource {
  return {
    ...localNetwork(facts, n.name, 'bridge', {
      IPAM: n.isDefault
        ? { Driver: 'default', Options: null, Config: [{ Subnet: n.subnet }] }
        : { Driver: 'default', Options: {}, Config: [{ Subnet: n.subnet, Gateway: n.gateway }] },
      Containers: containers,
      Options: { ...n.options },
      Labels: { ...n.labels },
    }),
    Id: n.id,
    Created: n.created,
  };
}
