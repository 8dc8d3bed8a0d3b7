// Engine API endpoints for the node's image store: import, load, save, tag, ls, inspect, rm.
import { ImageError, formatReference, imageHistory, inspectDistribution, login, parseReference, type ImageRecord, type ImageStore, type ImageUsers, type RegistryOptions } from '@shoal/agent';
import { createReadStream } from 'node:fs';
import { InvalidArgumentError, NotFoundError, NotImplementedError } from '../api/errors.js';
import { empty, json, stream, type StreamResult } from '../api/respond.js';
import { route, type RouteTable } from '../api/routes.js';
import { applyImportChanges } from './import-changes.js';
import { decodeShape, ignored, obj, str, unsupported, UnsupportedFieldError } from '../api/json-shape.js';
import { pull, registryAuthOf } from './pull-route.js';
import { push } from './push-route.js';

/** registry.AuthConfig as `docker login` sends it to POST /auth. */
const authConfigShape = obj('registry.AuthConfig', {
  username: str,
  password: str,
  auth: ignored('dockerd logs in with username and password'),
  email: ignored('deprecated; dockerd does not read it'),
  serveraddress: str,
  identitytoken: unsupported('logging in with an identity token'),
  registrytoken: unsupported('logging in with a registry token'),
});

const LS_FILTERS = ['reference', 'dangling', 'label', 'before', 'since'] as const;
const PRUNE_FILTERS = ['dangling', 'label', 'until'] as const;

export function imageRoutes(images: ImageStore, users: ImageUsers, registry: RegistryOptions): RouteTable {
  return [
    route({
      method: 'POST',
      path: '/images/create',
      handler: async (ctx) => {
        if (ctx.query.has('fromImage')) return pull(ctx, images, registry);
        if (ctx.query.string('fromSrc') !== '-') {
          throw new NotImplementedError('importing from a URL is not supported by shoal: use docker import with a file or stdin');
        }
        const repo = ctx.query.string('repo') ?? '';
        const tag = ctx.query.string('tag') ?? '';
        const reference = repo === '' ? undefined : tag === '' ? repo : `${repo}:${tag}`;
        const message = ctx.query.string('message') || undefined;
        const changes = ctx.query.all('changes');
        // Checked before the upload is stored, so a refused import keeps nothing.
        ctx.query.refuseUnsupported({ platform: 'choosing the platform of an imported image (docker import --platform)' });
        if (reference !== undefined) parseReference(reference);
        applyImportChanges({}, changes);
        const image = await images.importTar(ctx.body(), {
          ...(reference !== undefined ? { reference } : {}),
          ...(message !== undefined ? { message } : {}),
          ...(changes.length > 0 ? { configure: (base) => applyImportChanges(base, changes) } : {}),
        });
        return stream(async (sink) => sink.writeJson({ status: image.id }));
      },
    }),
    route({
      method: 'POST',
      path: '/auth',
      handler: async (ctx) => {
        const body = decodeShape<{ username?: string; password?: string; serveraddress?: string }>(await ctx.json(), authConfigShape);
        const credentials = { ...(body.username ? { username: body.username } : {}), ...(body.password ? { password: body.password } : {}) };
        await login(body.serveraddress || 'https://index.docker.io/v1/', credentials, registry);
        return json({ IdentityToken: '', Status: 'Login Succeeded' });
      },
    }),
    route({
      method: 'GET',
      path: '/distribution/{name:.*}/json',
      handler: async (ctx) => json(await inspectDistribution(ctx.params.name!, registryAuthOf(ctx), registry)),
    }),
    route({
      method: 'POST',
      path: '/images/load',
      handler: async (ctx) => {
        const loaded = await images.load(ctx.body());
        const lines = loaded.flatMap((image) =>
          image.repoTags.length > 0 ? image.repoTags.map((t) => `Loaded image: ${t}\n`) : [`Loaded image ID: ${image.id}\n`],
        );
        return stream(async (sink) => {
          for (const line of lines) await sink.writeJson({ stream: line });
        });
      },
    }),
    route({
      method: 'POST',
      path: '/images/{name:.*}/tag',
      handler: async (ctx) => {
        const repo = ctx.query.string('repo') ?? '';
        if (repo === '') throw new InvalidArgumentError('repository name must have at least one component');
        const tag = ctx.query.string('tag') ?? '';
        await images.tag(ctx.params.name!, tag === '' ? repo : `${repo}:${tag}`);
        return empty(201);
      },
    }),
    route({
      method: 'POST',
      path: '/images/{name:.*}/push',
      handler: (ctx) => push(ctx, images, registry),
    }),
    route({
      method: 'GET',
      path: '/images/get',
      handler: async (ctx) => saveResult(images, ctx.query.all('names')),
    }),
    route({
      method: 'GET',
      path: '/images/{name:.*}/get',
      handler: async (ctx) => saveResult(images, [ctx.params.name!]),
    }),
    route({
      method: 'GET',
      path: '/images/json',
      filters: LS_FILTERS,
      handler: (ctx) => {
        const list = images
          .list()
          .filter((i) => !ctx.filters.has('dangling') || ctx.filters.bool('dangling', false) === (i.repoTags.length === 0))
          .filter((i) => ctx.filters.matchLabels('label', i.config.config?.Labels ?? null))
          .filter((i) => !ctx.filters.has('reference') || ctx.filters.values('reference').some((r) => i.repoTags.some((t) => referenceMatches(r, t))))
          .sort((a, b) => (b.config.created ?? '').localeCompare(a.config.created ?? ''));
        return json(list.map(summary));
      },
    }),
    route({
      method: 'GET',
      path: '/images/{name:.*}/json',
      handler: (ctx) => json(inspect(resolveForInspect(images, ctx.params.name!))),
    }),
    route({
      method: 'GET',
      path: '/images/{name:.*}/history',
      handler: async (ctx) => {
        const image = images.resolve(ctx.params.name!);
        const sizes = await images.layers.sizes(image.config.rootfs?.diff_ids ?? []);
        return json(imageHistory(image, (d) => sizes.get(d) ?? 0));
      },
    }),
    route({
      method: 'POST',
      path: '/images/prune',
      filters: PRUNE_FILTERS,
      handler: async (ctx) => {
        if (ctx.filters.has('until')) throw new UnsupportedFieldError('the until filter', 'pruning images by age (--filter until=…)');
        const all = !ctx.filters.bool('dangling', true);
        const pruned = await images.prune({ all, users, select: (i) => ctx.filters.matchLabels('label', i.config.config?.Labels ?? null) });
        return json({ ImagesDeleted: pruned.items.length > 0 ? pruned.items : null, SpaceReclaimed: pruned.reclaimedBytes });
      },
    }),
    route({
      method: 'DELETE',
      path: '/images/{name:.*}',
      handler: async (ctx) => json(await images.remove(ctx.params.name!, { force: ctx.query.bool('force'), users })),
    }),
  ];
}

/** The image `name` names, or dockerd's 404 for inspect: "no such image: NAME: No such image: NAME". */
function resolveForInspect(images: ImageStore, name: string): ImageRecord {
  try {
    return images.resolve(name);
  } catch (err) {
    if (err instanceof ImageError && err.code === 'not-found') throw new NotFoundError(`no such image: ${name}: ${err.message}`);
    throw err;
  }
}

/** `docker save`: the archive is built before the 200 goes out, so a bad name still gets its 404. */
async function saveResult(images: ImageStore, names: readonly string[]): Promise<StreamResult> {
  const archive = await images.save(names);
  return stream(
    async (sink) => {
      try {
        for await (const chunk of createReadStream(archive.path)) await sink.write(chunk as Buffer);
      } finally {
        await archive.dispose();
      }
    },
    { contentType: 'application/x-tar' },
  );
}

/** `reference` filters: "busybox", "busybox:latest", "busy*". */
function referenceMatches(filter: string, tag: string): boolean {
  const wanted = filter.includes(':') ? filter : `${filter}:*`;
  const re = new RegExp(`^${wanted.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  try {
    return re.test(tag) || re.test(formatReference(parseReference(tag)));
  } catch {
    return false;
  }
}

function created(image: ImageRecord): string {
  return image.config.created ?? image.lastTagTime;
}

function summary(image: ImageRecord): Record<string, unknown> {
  return {
    Containers: -1,
    Created: Math.floor(Date.parse(created(image)) / 1000),
    Id: image.id,
    Labels: image.config.config?.Labels ?? null,
    ParentId: '',
    RepoDigests: image.repoDigests,
    RepoTags: image.repoTags,
    SharedSize: -1,
    Size: image.sizeBytes,
    VirtualSize: image.sizeBytes,
  };
}

function inspect(image: ImageRecord): Record<string, unknown> {
  const c = image.config;
  return {
    Id: image.id,
    RepoTags: image.repoTags,
    RepoDigests: image.repoDigests,
    Parent: '',
    Comment: c.comment ?? '',
    Created: created(image),
    Container: '',
    ContainerConfig: {},
    DockerVersion: c.docker_version ?? '',
    Author: c.author ?? '',
    Config: c.config ?? null,
    Architecture: c.architecture ?? '',
    Os: c.os ?? 'linux',
    Size: image.sizeBytes,
    VirtualSize: image.sizeBytes,
    GraphDriver: { Data: { LowerDir: image.rootfsDir }, Name: 'overlay' },
    RootFS: { Type: c.rootfs?.type ?? 'layers', Layers: c.rootfs?.diff_ids ?? [] },
    Metadata: { LastTagTime: image.lastTagTime },
  };
}

