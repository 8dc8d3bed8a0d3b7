// Engine API endpoints for services and tasks: each maps onto a control operation on the leader
// (through the node's manager; 503 with Docker's message on workers and outside a swarm). Specs are
// decoded here, at the edge, as dockerd decodes them: what shoal does not act on is refused.
import { decodeRegistryAuth, hasCredentials } from '@shoal/agent';
import { SERVICE_FILTERS, TASK_FILTERS } from '@shoal/manager';
import { InvalidArgumentError } from '../api/errors.js';
import type { Filters } from '../api/filters.js';
import { decodeShape, UnsupportedFieldError } from '../api/json-shape.js';
import { serviceSpecShape } from '../api/service-shape.js';
import { empty, json } from '../api/respond.js';
import { route, type RequestContext, type RouteTable } from '../api/routes.js';

/**
 * Credentials sent for the nodes to pull with (`--with-registry-auth`) would have to be kept, sealed, and
 * handed only to the nodes that run the service's tasks: until that exists, they are refused rather
 * than dropped. (`registryAuthFrom`, sent on every update, asks to reuse stored credentials: there are none.)
 */
function refuseRegistryAuth(ctx: RequestContext<string>): void {
  const header = ctx.headers['x-registry-auth'];
  if (hasCredentials(decodeRegistryAuth(Array.isArray(header) ? header[0] : header))) {
    throw new UnsupportedFieldError('X-Registry-Auth', 'registry credentials for the nodes, --with-registry-auth');
  }
}

export interface ControlCaller {
  call(method: string, payload: unknown): Promise<unknown>;
}

export function serviceRoutes(node: ControlCaller): RouteTable {
  return [
    route({
      method: 'GET',
      path: '/services',
      filters: SERVICE_FILTERS,
      handler: async (ctx) => json(await node.call('listServices', { filters: filtersObject(ctx.filters), status: ctx.query.bool('status') })),
    }),
    route({
      method: 'GET',
      path: '/services/{id}',
      handler: async (ctx) => json(await node.call('getService', { id: ctx.params.id!, insertDefaults: ctx.query.bool('insertDefaults') })),
    }),
    route({
      method: 'POST',
      path: '/services/create',
      handler: async (ctx) => {
        refuseRegistryAuth(ctx);
        return json(await node.call('createService', { spec: decodeShape(await ctx.json(), serviceSpecShape) }), 201);
      },
    }),
    route({
      method: 'POST',
      path: '/services/{id}/update',
      handler: async (ctx) => {
        refuseRegistryAuth(ctx);
        const version = ctx.query.uint('version');
        if (version === undefined) throw new InvalidArgumentError(`invalid service version '${ctx.query.string('version') ?? ''}'`);
        const rollback = ctx.query.string('rollback');
        return json(await node.call('updateService', { id: ctx.params.id!, version, spec: decodeShape(await ctx.json(), serviceSpecShape), ...(rollback ? { rollback } : {}) }));
      },
    }),
    route({
      method: 'DELETE',
      path: '/services/{id}',
      handler: async (ctx) => {
        await node.call('removeService', { id: ctx.params.id! });
        return empty(200);
      },
    }),
    route({
      method: 'GET',
      path: '/tasks',
      filters: TASK_FILTERS,
      handler: async (ctx) => json(await node.call('listTasks', { filters: filtersObject(ctx.filters) })),
    }),
    route({
      method: 'GET',
      path: '/tasks/{id}',
      handler: async (ctx) => json(await node.call('getTask', { id: ctx.params.id! })),
    }),
  ];
}

export function filtersObject<K extends string>(filters: Filters<K>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const key of filters.keys()) out[key] = filters.values(key);
  return out;
}
