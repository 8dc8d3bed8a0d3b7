// `POST /images/{name}/push?tag=…` (docker push): the image and the registry's answer to our login
// are checked before the 200, then dockerd's progress stream; later failures are stream errors.
import { completePush, ImageError, resolvePush, type ImageStore, type RegistryOptions } from '@shoal/agent';
import { InvalidArgumentError, NotFoundError } from '../api/errors.js';
import type { StreamResult } from '../api/respond.js';
import type { RequestContext } from '../api/routes.js';
import { progressStream, registryAuthOf } from './pull-route.js';

export async function push(ctx: RequestContext<string>, images: ImageStore, registry: RegistryOptions): Promise<StreamResult> {
  ctx.query.refuseUnsupported({ platform: 'pushing one platform of an image (--platform)' });
  const name = ctx.params.name!;
  const tag = ctx.query.string('tag') ?? '';
  // The CLI sends no tag only for `docker push --all-tags`.
  if (tag === '') throw new InvalidArgumentError('shoal does not support pushing all tags of a repository (--all-tags) yet');
  const resolved = await resolvePush(images, name, tag, registryAuthOf(ctx), registry).catch((err: unknown) => {
    if (err instanceof ImageError && err.code === 'not-found' && err.message.startsWith('No such image')) {
      throw new NotFoundError(`An image does not exist locally with the tag: ${name}`);
    }
    throw err;
  });
  return progressStream((send) => completePush(images, resolved, send));
}
