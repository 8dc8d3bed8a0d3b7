// Networks on this node: the Engine API routes and their backend over the node's swarm membership
// and its local bridge networks.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRuntime } from '@shoal/agent';
import type { SwarmNode } from '../swarm/swarm-node.js';
import { bridgeResource, type BridgeNetworkStore, type BridgeNetworking } from './bridge/index.js';
import { localNetworks } from './local.js';
import { nodeOverlays, type ContainerOfSandbox } from './node-overlays.js';
import { networkRoutes, type NetworkBackend } from './routes.js';

export { GATEWAY_BRIDGE, localNetworks, localId, type LocalNetworkFacts } from './local.js';
export { networkRoutes, type NetworkBackend, type BridgeBackend, type SwarmRole } from './routes.js';
export { StandaloneNetworking, type SwarmAccess, type ConnectRequest, type NetworkFinder } from './attachable.js';
export { networksView, type ContainerEndpoint } from './container-endpoints.js';
export { BridgeNetworkStore, BridgeNetworking } from './bridge/index.js';

/** When the engine first started (its identity's creation), which dates its local networks. */
export async function engineCreatedAt(dataRoot: string): Promise<string> {
  return stat(join(dataRoot, 'engine-id')).then(
    (s) => s.mtime.toISOString(),
    () => new Date().toISOString(),
  );
}

export interface LocalBridges {
  readonly store: BridgeNetworkStore;
  readonly networking: BridgeNetworking<ContainerRuntime>;
}

/** Standalone containers' networks: bridge networks here, swarm networks through `swarm`. */
function containerNetworks(bridges: LocalBridges, swarm: NonNullable<NetworkBackend['containers']>): NonNullable<NetworkBackend['containers']> {
  return {
    connect: (ref, req, find) => {
      const network = bridges.store.find(ref);
      return network === undefined ? swarm.connect(ref, req, find) : bridges.networking.connect(network, req.container, req.aliases, req.ipv4);
    },
    disconnect: (ref, container, find) => {
      const network = bridges.store.find(ref);
      return network === undefined ? swarm.disconnect(ref, container, find) : bridges.networking.disconnect(network, container);
    },
  };
}

/** The route table for a node; local networks date from the engine identity's creation. */
export async function nodeNetworkRoutes(
  swarm: SwarmNode,
  host: { engineId: string; dataRoot: string; containerOf?: ContainerOfSandbox; containers?: NetworkBackend['containers']; bridges?: LocalBridges },
) {
  const createdAt = await engineCreatedAt(host.dataRoot);
  const facts = () => ({ engineId: host.engineId, createdAt, inSwarm: swarm.nodeId !== null });
  const bridges = host.bridges;
  const backend: NetworkBackend = {
    role: () => (swarm.nodeId === null ? 'none' : swarm.manager ? 'manager' : 'worker'),
    call: (method, payload) => swarm.call(method, payload),
    localNetworks: () => [
      ...(bridges?.store.list().map((n) => bridgeResource(facts(), n, bridges.networking.containersOn(n))) ?? []),
      ...localNetworks(facts()),
    ],
    nodeOverlays: () => nodeOverlays(swarm.dataplane, host.containerOf ?? (() => undefined)),
    ...(host.containers !== undefined ? { containers: bridges === undefined ? host.containers : containerNetworks(bridges, host.containers) } : {}),
    ...(bridges !== undefined
      ? {
          bridges: {
            create: (req, nameTaken) => ({ Id: bridges.store.create(req, nameTaken).id }),
            owns: (id) => bridges.store.get(id)?.isDefault === false,
            remove: (id) => bridges.networking.removeNetwork(bridges.store.get(id)!),
            prune: (filters) => bridges.networking.prune(filters, (n) => bridgeResource(facts(), n, {})),
          },
        }
      : {}),
  };
  return networkRoutes(backend);
}
