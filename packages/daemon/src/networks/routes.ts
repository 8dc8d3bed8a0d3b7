// Engine API endpoints for networks: swarm networks come from the leader through control operations,
// local ones (gateway bridge, host, none) from this node. References resolve over both, like dockerd.
import {
  NETWORK_FILTERS,
  filterNetworks,
  normalizeNetworkRequest,
  resolveNetwork,
  type NetworkCreateRequest,
  type NetworkResource,
} from '@shoal/manager';
import { ForbiddenError, InvalidArgumentError, NotImplementedError } from '../api/errors.js';
import { networkConnectShape, networkCreateShape } from '../api/body-shapes.js';
import { decodeShape } from '../api/json-shape.js';
import { empty, json } from '../api/respond.js';
import { route, type RouteTable } from '../api/routes.js';
import type { ConnectRequest, NetworkFinder } from './attachable.js';
import type { NodeOverlay } from './node-overlays.js';

export type SwarmRole = 'none' | 'worker' | 'manager';

/** What the routes need from the node: its swarm role, control operations on the leader, local networks. */
export interface NetworkBackend {
  role(): SwarmRole;
  call(method: string, payload: unknown): Promise<unknown>;
  localNetworks(): NetworkResource[];
  /** Swarm networks instantiated on this node, with their Containers and Peers here. Default: none. */
  nodeOverlays?(): readonly NodeOverlay[];
  /** Local bridge networks (`network create -d bridge`, `network rm`). Default: none can be created. */
  readonly bridges?: BridgeBackend;
  /** Standalone containers' networks (`network connect/disconnect`). Default: refused as not implemented. */
  readonly containers?: {
    connect(networkRef: string, req: ConnectRequest, find: NetworkFinder): Promise<void>;
    disconnect(networkRef: string, container: string, find: NetworkFinder): Promise<void>;
  };
}

/** What the routes need of local bridge networks; listing goes through localNetworks(). */
export interface BridgeBackend {
  /** `nameTaken`: a swarm network has the name already. */
  create(req: NetworkCreateRequest, nameTaken: boolean): { readonly Id: string };
  /** Whether the network is a user-defined bridge (the removable kind). */
  owns(id: string): boolean;
  remove(id: string): Promise<void>;
  /** `network prune`: removes the user-defined bridges nothing is on that pass the filters; their names. */
  prune(filters: Record<string, string[]>): Promise<string[]>;
}

/** The connect body `docker network connect [--alias A] [--ip IP] NET C` sends. */
function connectRequest(body: unknown): ConnectRequest {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { Container?: unknown; EndpointConfig?: { Aliases?: unknown; IPAMConfig?: { IPv4Address?: unknown } | null } | null };
  if (typeof b.Container !== 'string' || b.Container === '') throw new InvalidArgumentError('Container is required');
  const aliases = b.EndpointConfig?.Aliases ?? [];
  if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === 'string')) throw new InvalidArgumentError('invalid EndpointConfig.Aliases: expected a list of strings');
  const ip = b.EndpointConfig?.IPAMConfig?.IPv4Address;
  if (ip !== undefined && ip !== null && typeof ip !== 'string') throw new InvalidArgumentError('invalid EndpointConfig.IPAMConfig.IPv4Address: expected a string');
  return { container: b.Container, aliases: aliases as string[], ...(typeof ip === 'string' && ip !== '' ? { ipv4: ip } : {}) };
}

/** A swarm network as this node answers for it: with Containers and Peers where it is instantiated here. */
function withNodeView(network: NetworkResource, overlays: readonly NodeOverlay[]): NetworkResource {
  const here = overlays.find((o) => o.resource.Id === network.Id);
  return here === undefined ? network : { ...network, Containers: here.containers, Peers: here.peers };
}

const workerCreateMessage = 'Cannot create a multi-host network from a worker node. Please create the network from a manager node.';
const PRUNE_FILTERS = ['label', 'label!', 'until'] as const;

export function networkRoutes(backend: NetworkBackend): RouteTable {
  /** A manager answers for the swarm's networks; a worker for those it has instantiated, as dockerd's. */
  const swarmNetworks = async (filters: Record<string, string[]> = {}): Promise<NetworkResource[]> => {
    const overlays = backend.nodeOverlays?.() ?? [];
    if (backend.role() === 'manager') return ((await backend.call('listNetworks', { filters })) as NetworkResource[]).map((n) => withNodeView(n, overlays));
    return filterNetworks(overlays.map((o) => withNodeView(o.resource, overlays)), filters);
  };

  /** Resolves a reference over swarm and local networks; `scope` narrows to one kind, as ?scope= does. */
  const find = async (ref: string, scope: string | undefined): Promise<NetworkResource> => {
    if (scope !== undefined && !['swarm', 'local', 'global'].includes(scope)) throw new InvalidArgumentError(`invalid scope: ${scope}`);
    const candidates = [
      ...(scope === undefined || scope === 'swarm' ? await swarmNetworks() : []),
      ...(scope === undefined || scope === 'local' ? backend.localNetworks() : []),
    ];
    return resolveNetwork(candidates, ref);
  };

  /** For connect/disconnect: unknown here is not an error yet (a worker learns swarm networks from the managers). */
  const finder: NetworkFinder = (ref) =>
    find(ref, undefined).catch((err: unknown) => {
      if ((err as { code?: unknown }).code === 'not-found') return undefined;
      throw err;
    });
  const containers = () => {
    if (backend.containers === undefined) throw new NotImplementedError('connecting containers to networks is not supported on this node');
    return backend.containers;
  };

  return [
    route({
      method: 'POST',
      path: '/networks/{id}/connect',
      handler: async (ctx) => {
        await containers().connect(ctx.params.id!, connectRequest(decodeShape(await ctx.json(), networkConnectShape)), finder);
        return empty(200);
      },
    }),
    route({
      method: 'POST',
      path: '/networks/{id}/disconnect',
      handler: async (ctx) => {
        const body = (await ctx.json()) as { Container?: unknown } | null;
        if (typeof body?.Container !== 'string' || body.Container === '') throw new InvalidArgumentError('Container is required');
        await containers().disconnect(ctx.params.id!, body.Container, finder);
        return empty(200);
      },
    }),
    route({
      method: 'GET',
      path: '/networks',
      filters: NETWORK_FILTERS,
      handler: async (ctx) => {
        const filters = ctx.filters.toRecord();
        return json([...(await swarmNetworks(filters)), ...filterNetworks(backend.localNetworks(), filters)]);
      },
    }),
    route({
      method: 'GET',
      path: '/networks/{id}',
      handler: async (ctx) => {
        const network = await find(ctx.params.id!, ctx.query.string('scope') || undefined);
        // A manager answers with the swarm's view: address usage (Status) and, with --verbose, Services.
        if (network.Scope === 'swarm' && backend.role() === 'manager') {
          const verbose = ctx.query.bool('verbose');
          return json(withNodeView((await backend.call('getNetwork', { id: network.Id, verbose })) as NetworkResource, backend.nodeOverlays?.() ?? []));
        }
        return json(network);
      },
    }),
    route({
      method: 'POST',
      path: '/networks/create',
      handler: async (ctx) => {
        const body = decodeShape<NetworkCreateRequest>(await ctx.json(), networkCreateShape);
        // The CLI's default driver, as dockerd's: a local bridge network, in swarm mode too.
        if ((body.Driver ?? '') === '' || body.Driver === 'bridge') {
          if (backend.bridges !== undefined) {
            const taken = await swarmNetworks().then((list) => list.some((n) => n.Name === body.Name), () => false);
            return json({ Id: backend.bridges.create(body, taken).Id, Warning: '' }, 201);
          }
        }
        // Checked here first so that a worker or a node outside a swarm gets the same validation errors
        // (local network names are among the pre-defined ones it refuses).
        normalizeNetworkRequest(body);
        if (backend.role() === 'worker') throw new ForbiddenError(workerCreateMessage);
        return json(await backend.call('createNetwork', body), 201);
      },
    }),
    route({
      method: 'DELETE',
      path: '/networks/{id}',
      handler: async (ctx) => {
        const network = await find(ctx.params.id!, undefined);
        if (network.Scope === 'local' && backend.bridges?.owns(network.Id) === true) {
          await backend.bridges.remove(network.Id);
          return empty(204);
        }
        if (network.Scope === 'local') throw new ForbiddenError(`${network.Name} is a pre-defined network and cannot be removed`);
        await backend.call('removeNetwork', { id: network.Id });
        return empty(204);
      },
    }),
    route({
      method: 'POST',
      path: '/networks/prune',
      filters: PRUNE_FILTERS,
      handler: async (ctx) => {
        const filters = ctx.filters.toRecord();
        const swarm = backend.role() === 'manager' ? ((await backend.call('pruneNetworks', { filters })) as { NetworksDeleted: string[] }).NetworksDeleted : [];
        const local = (await backend.bridges?.prune(filters)) ?? [];
        return json({ NetworksDeleted: [...swarm, ...local] });
      },
    }),
  ];
}
