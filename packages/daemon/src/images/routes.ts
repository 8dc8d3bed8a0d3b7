// Engine API endpoints for the node's image store: import, load, save, tag, ls, inspect, rm.
import { ImageError, formatReference, parseReference, type ImageRecord, type ImageStore, type ImageUsers } from '@shoal/agent';
import { createReadStream } from 'node:fs';
import { InvalidArgumentError, NotFoundError, NotImplementedError } from '../api/errors.js';
import { empty, json, stream, type StreamResult } from '../api/respond.js';
import { route, type RouteTable } from '../api/routes.js';
import { applyImportChanges } from './import-changes.js';

const LS_FILTERS = ['reference', 'dangling', 'label', 'before', 'since'] as const;

export function imageRoutes(images: ImageStore, users: ImageUsers): RouteTable {
  return [
    route({
      method: 'POST',
      path: '/images/create',
      handler: async (ctx) => {
        if (ctx.query.string('fromSrc') !== '-') {
          throw new NotImplementedError('pulling images is not supported by shoal: use docker load or docker import');
        }
        const repo = ctx.query.string('repo') ?? '';
        const tag = ctx.query.string('tag') ?? '';
        const reference = repo === '' ? undefined : tag === '' ? repo : `${repo}:${tag}`;
        if (reference !== undefined) parseReference(reference);
        const message = ctx.query.string('message') || undefined;
        const changes = ctx.query.all('changes');
        // Checked before the upload is read: a refused change keeps nothing.
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
      handler: (ctx) => {
        const name = ctx.params.name!;
        try {
          return json(inspect(images.resolve(name)));
        } catch (err) {
          if (err instanceof ImageError && err.code === 'not-found') {
            throw new NotFoundError(`no such image: ${name}: ${err.message}`);
          }
          throw err;
        }
      },
    }),
    route({
      method: 'DELETE',
      path: '/images/{name:.*}',
      handler: async (ctx) => json(await images.remove(ctx.params.name!, { force: ctx.query.bool('force'), users })),
    }),
  ];
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
    RepoDigests: [],
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
    RepoDigests: [],
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

