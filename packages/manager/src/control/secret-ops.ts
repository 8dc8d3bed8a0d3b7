// Secrets and configs. The store holds no such objects yet: listing answers an empty list, so that
// `docker stack deploy/ps/rm` (which list them by the stack's label) work, and creating one is refused
// with a message that says so instead of "page not found".
import type { ControlContext } from './context.js';
import { ControlError } from './errors.js';
import type { Filters } from './node-ops.js';

/** The filters dockerd accepts on GET /secrets and GET /configs. */
export const SECRET_FILTERS = ['id', 'label', 'name', 'names'] as const;

type Kind = 'secret' | 'config';

function list(_ctx: ControlContext, p: { filters?: Filters }): never[] {
  for (const key of Object.keys(p.filters ?? {})) {
    if (!(SECRET_FILTERS as readonly string[]).includes(key)) throw new ControlError('invalid-argument', `invalid filter '${key}'`);
  }
  return [];
}

function refuseCreate(kind: Kind): never {
  throw new ControlError('not-implemented', `${kind}s are not supported by shoal yet: ${kind} create is not available`);
}

export const secretOperations = {
  listSecrets: (ctx: ControlContext, p: { filters?: Filters }) => list(ctx, p),
  listConfigs: (ctx: ControlContext, p: { filters?: Filters }) => list(ctx, p),
  createSecret: () => refuseCreate('secret'),
  createConfig: () => refuseCreate('config'),
};
