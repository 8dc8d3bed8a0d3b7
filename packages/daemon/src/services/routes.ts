// Engine API endpoints for services and tasks: each maps onto a control operation on the leader
// (through the node's manager; 503 with Docker's message on workers and outside a swarm). Specs are
// decoded here, at the edge, as dockerd decodes them: what shoal does not act on is refused.
import { SERVICE_FILTERS, TASK_FILTERS } from '@shoal/manager';
import { InvalidArgumentError } from '../api/errors.js';
import type { Filters } from '../api/filters.js';
import { decodeShape } from '../api/json-shape.js';
import { serviceSpecShape } from '../api/service-shape.js';
import { empty, json } from '../api/respond.js';
import { route, type RouteTable } from '../api/routes.js';

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
      handler: async (ctx) => json(await node.call('createService', { spec: decodeShape(await ctx.json(), serviceSpecShape) }), 201),
    }),
    route({
      method: 'POST',
      path: '/services/{id}/update',
      handler: async (ctx) => {
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
