// Engine API endpoints for secrets and configs, answered by the leader like services (503 with Docker's
// message on workers and outside a swarm). `docker stack deploy/rm` list both by the stack's label.
import { SECRET_FILTERS } from '@shoal/manager';
import { json } from '../api/respond.js';
import { route, type RouteTable } from '../api/routes.js';
import { filtersObject, type ControlCaller } from './routes.js';

export function secretRoutes(node: ControlCaller): RouteTable {
  return (['secret', 'config'] as const).flatMap((kind) => {
    const plural = kind === 'secret' ? 'Secrets' : 'Configs';
    return [
      route({
        method: 'GET',
        path: `/${kind}s`,
        filters: SECRET_FILTERS,
        handler: async (ctx) => json(await node.call(`list${plural}`, { filters: filtersObject(ctx.filters) })),
      }),
      route({
        method: 'POST',
        path: `/${kind}s/create`,
        handler: async () => json(await node.call(kind === 'secret' ? 'createSecret' : 'createConfig', {}), 201),
      }),
    ];
  });
}
