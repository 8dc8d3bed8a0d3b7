// Engine API endpoints of swarm mode: /swarm and /nodes. Each maps onto a SwarmNode lifecycle call
// or a control operation that runs on the leader.
import { NODE_FILTERS, type ClusterSpec, type NodeSpec } from '@shoal/manager';
import { InvalidArgumentError } from '../api/errors.js';
import { clusterSpecShape, initRequestShape, joinRequestShape, nodeSpecShape } from '../api/body-shapes.js';
import { decodeShape } from '../api/json-shape.js';
import { empty, json } from '../api/respond.js';
import { route, type RequestContext, type RouteTable } from '../api/routes.js';
import type { InitRequest } from './init.js';
import type { JoinRequest } from './requests.js';
import type { SwarmNode } from './swarm-node.js';

export function swarmRoutes(node: SwarmNode): RouteTable {
  return [
    route({ method: 'GET', path: '/swarm', handler: async () => json(await node.call('getSwarm', {})) }),
    route({
      method: 'POST',
      path: '/swarm/init',
      handler: async (ctx) => json(await node.init(decodeShape<InitRequest>(await ctx.json(), initRequestShape))),
    }),
    route({
      method: 'POST',
      path: '/swarm/join',
      handler: async (ctx) => {
        const req = decodeShape<JoinRequest>(await ctx.json(), joinRequestShape);
        // Checked before dialling the manager: an unknown value has no wire encoding (it was a 500).
        if (!['', 'active', 'pause', 'drain'].includes(req.Availability ?? '')) {
          throw new InvalidArgumentError(`invalid availability "${req.Availability}": must be active, pause or drain`);
        }
        await node.join(req);
        return empty(200);
      },
    }),
    route({
      method: 'POST',
      path: '/swarm/leave',
      handler: async (ctx) => {
        await node.leave(ctx.query.bool('force'));
        return empty(200);
      },
    }),
    route({
      method: 'POST',
      path: '/swarm/update',
      handler: async (ctx) => {
        ctx.query.refuseUnsupported({ rotateManagerUnlockKey: 'autolock (docker swarm unlock-key --rotate)' });
        await node.call('updateSwarm', {
          version: requiredVersion(ctx),
          spec: decodeShape<Partial<ClusterSpec>>(await ctx.json(), clusterSpecShape),
          rotateWorkerToken: ctx.query.bool('rotateWorkerToken'),
          rotateManagerToken: ctx.query.bool('rotateManagerToken'),
        });
        return empty(200);
      },
    }),
    route({
      method: 'GET',
      path: '/swarm/unlockkey',
      handler: async () => {
        await node.call('getSwarm', {});
        return json({ UnlockKey: '' });
      },
    }),
    route({
      method: 'GET',
      path: '/nodes',
      filters: NODE_FILTERS,
      handler: async (ctx) => json(await node.call('listNodes', { filters: ctx.filters.toRecord() })),
    }),
    route({ method: 'GET', path: '/nodes/{id}', handler: async (ctx) => json(await node.call('getNode', { id: ctx.params.id })) }),
    route({
      method: 'POST',
      path: '/nodes/{id}/update',
      handler: async (ctx) => {
        const spec = decodeShape<Partial<NodeSpec>>(await ctx.json(), nodeSpecShape);
        await node.call('updateNode', { id: ctx.params.id, version: requiredVersion(ctx), spec });
        return empty(200);
      },
    }),
    route({
      method: 'DELETE',
      path: '/nodes/{id}',
      handler: async (ctx) => {
        await node.call('removeNode', { id: ctx.params.id, force: ctx.query.bool('force') });
        return empty(200);
      },
    }),
  ];
}

function requiredVersion(ctx: RequestContext<never> | RequestContext<string>): number {
  const version = ctx.query.uint('version');
  if (version === undefined) throw new InvalidArgumentError('invalid swarm version: the version query parameter is required');
  return version;
}
