// 404 answers for object types shoal does not serve (yet). `docker inspect NAME` walks through every
// object type and moves on only on 404; any other status (even 501) stops it with an error.
import { NotFoundError } from './errors.js';
import { route, type RouteTable } from './routes.js';

const notFound = (message: (name: string) => string) => (ctx: { params: Readonly<Record<string, string>> }) => {
  throw new NotFoundError(message(ctx.params['name'] ?? ''));
};

/** Registered after every other table, and only for method+path pairs no other table serves. */
export const inspectFallbackRoutes: RouteTable = [
  route({ method: 'GET', path: '/containers/{name}/json', handler: notFound((n) => `No such container: ${n}`) }),
  route({ method: 'GET', path: '/images/{name:.*}/json', handler: notFound((n) => `No such image: ${n}`) }),
  route({ method: 'GET', path: '/networks/{name}', handler: notFound((n) => `network ${n} not found`) }),
  route({ method: 'GET', path: '/volumes/{name}', handler: notFound((n) => `get ${n}: no such volume`) }),
  route({ method: 'GET', path: '/plugins/{name:.*}/json', handler: notFound((n) => `plugin "${n}" not found`) }),
  route({ method: 'GET', path: '/secrets/{name}', handler: notFound((n) => `secret ${n} not found`) }),
  route({ method: 'GET', path: '/configs/{name}', handler: notFound((n) => `config ${n} not found`) }),
];
