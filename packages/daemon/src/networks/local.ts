// The node's own networks, which dockerd lists beside the swarm's: the gateway bridge that connects
// overlays to the host (only while the node is in a swarm), `host` and `none` (bridge networks are
// rendered by bridgeResource from their store). Their IDs are 64 hex
// characters like dockerd's local IDs, derived from the engine ID so they stay the same across restarts.
import { createHash } from 'node:crypto';
import type { NetworkResource } from '@shoal/manager';

/** The gateway bridge's addressing; the agent's network driver creates the bridge with these. */
export const GATEWAY_BRIDGE = {
  name: 'docker_gwbridge',
  subnet: '172.18.0.0/16',
  gateway: '172.18.0.1',
} as const;

export interface LocalNetworkFacts {
  readonly engineId: string;
  /** When the engine first started (its identity's creation time), as RFC 3339. */
  readonly createdAt: string;
  readonly inSwarm: boolean;
}

export function localId(engineId: string, name: string): string {
  return createHash('sha256').update(`${engineId}/network/${name}`).digest('hex');
}

export function localNetwork(facts: LocalNetworkFacts, name: string, driver: string, extra: Partial<NetworkResource>): NetworkResource {
  return {
    Name: name,
    Id: localId(facts.engineId, name),
    Created: facts.createdAt,
    Scope: 'local',
    Driver: driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: {},
    Options: {},
    Labels: {},
    ...extra,
  };
}

export function localNetworks(facts: LocalNetworkFacts): NetworkResource[] {
  const gwbridge = localNetwork(facts, GATEWAY_BRIDGE.name, 'bridge', {
    IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: GATEWAY_BRIDGE.subnet, Gateway: GATEWAY_BRIDGE.gateway }] },
    Options: {
      'com.docker.network.bridge.enable_icc': 'false',
      'com.docker.network.bridge.enable_ip_masquerade': 'true',
      'com.docker.network.bridge.name': GATEWAY_BRIDGE.name,
    },
  });
  return [...(facts.inSwarm ? [gwbridge] : []), localNetwork(facts, 'none', 'null', {}), localNetwork(facts, 'host', 'host', {})];
}
