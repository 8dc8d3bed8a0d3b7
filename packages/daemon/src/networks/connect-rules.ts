// What `network connect` refuses before asking anyone, with dockerd's messages: a network the
// container is already on, containers that share another namespace (host, container:, none), local
// networks, and swarm networks that are not attachable (the managers check that again).
import { ForbiddenError, InternalError, InvalidArgumentError, NotImplementedError } from '../api/errors.js';
import type { ContainerEndpoint } from './container-endpoints.js';

/** The container's entry a reference names: network ID, name, or ID prefix, as dockerd resolves them. */
export function resolveAmong(endpoints: readonly ContainerEndpoint[], ref: string): ContainerEndpoint | undefined {
  return (
    endpoints.find((e) => e.networkId === ref) ??
    endpoints.find((e) => e.networkName === ref) ??
    (ref === '' ? undefined : endpoints.find((e) => e.networkId.startsWith(ref)))
  );
}

export interface ConnectFacts {
  readonly containerName: string;
  readonly networkMode: string | undefined;
  readonly networkRef: string;
  /** The container's entry for the network, when it is on it already. */
  readonly already: ContainerEndpoint | undefined;
  /** The network as this node knows it; undefined when only the managers do (a worker without it yet). */
  readonly network: { readonly Name: string; readonly Scope: string; readonly Attachable: boolean } | undefined;
}

const SHARED_NAMESPACE = 'container sharing network namespace with another container or host cannot be connected to any other network';
const NONE_MODE = 'container cannot be connected to multiple networks with one of the networks in private (none) mode';
const HOST_NETWORK = 'container cannot be disconnected from host network or connected to host network';

export function refuseConnect(f: ConnectFacts): void {
  if (f.already !== undefined) throw new ForbiddenError(`endpoint with name ${f.containerName} already exists in network ${f.already.networkName}`);
  const mode = f.networkMode ?? 'default';
  if (mode === 'host' || mode.startsWith('container:')) throw new InvalidArgumentError(SHARED_NAMESPACE);
  if (mode === 'none') throw new InvalidArgumentError(NONE_MODE);
  const n = f.network;
  if (n === undefined) return;
  if (n.Scope === 'local') {
    if (n.Name === 'host') throw new InvalidArgumentError(HOST_NETWORK);
    if (n.Name === 'none') throw new InvalidArgumentError(NONE_MODE);
    throw new NotImplementedError(`connecting a container to the local network ${n.Name} is not supported: shoal connects standalone containers to attachable swarm overlays`);
  }
  if (!n.Attachable) {
    throw new InternalError(`Could not attach to network ${f.networkRef}: rpc error: code = PermissionDenied desc = network ${f.networkRef} not manually attachable`);
  }
}
