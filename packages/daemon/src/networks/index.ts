// Networks on this node: the Engine API routes and their backend over the node's swarm membership.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SwarmNode } from '../swarm/swarm-node.js';
import { localNetworks } from './local.js';
import { nodeOverlays, type ContainerOfSandbox } from './node-overlays.js';
import { networkRoutes, type NetworkBackend } from './routes.js';

export { GATEWAY_BRIDGE, localNetworks, type LocalNetworkFacts } from './local.js';
export { networkRoutes, type NetworkBackend, type SwarmRole } from './routes.js';
export { StandaloneNetworking, type SwarmAccess, type ConnectRequest, type NetworkFinder } from './attachable.js';
export { networksView, type ContainerEndpoint } from './container-endpoints.js';

/** The route table for a node; local networks date from the engine identity's creation. */
export async function nodeNetworkRoutes(
  swarm: SwarmNode,
  host: { engineId: string; dataRoot: string; containerOf?: ContainerOfSandbox; containers?: NetworkBackend['containers'] },
) {
  const createdAt = await stat(join(host.dataRoot, 'engine-id')).then(
    (s) => s.mtime.toISOString(),
    () => new Date().toISOString(),
  );
  const backend: NetworkBackend = {
    role: () => (swarm.nodeId === null ? 'none' : swarm.manager ? 'manager' : 'worker'),
    call: (method, payload) => swarm.call(method, payload),
    localNetworks: () => localNetworks({ engineId: host.engineId, createdAt, inSwarm: swarm.nodeId !== null }),
    nodeOverlays: () => nodeOverlays(swarm.dataplane, host.containerOf ?? (() => undefined)),
    ...(host.containers !== undefined ? { containers: host.containers } : {}),
  };
  return networkRoutes(backend);
}
