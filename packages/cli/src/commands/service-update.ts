// `shoal service update` and `shoal service rollback`: docker's read-modify-write of the whole
// spec (GET ?insertDefaults=false, POST /services/{id}/update?version=N), then the convergence
// progress unless --detach.

import type { Argv } from 'yargs';
import { UsageError } from '../api/errors.js';
import type { EngineClient } from '../api/client.js';
import { waitOnService } from '../progress/wait-on-service.js';
import { keyValues, type CommandContext, type GlobalArgs } from './context.js';
import { applyResources, applyRollout, parsePublish, placementPreference, restartPolicy, rolloutDefaults, rolloutFlags, rolloutOptions, type PortConfig, type ResourceFlags, type RestartFlags } from './service-spec.js';

type Spec = Record<string, unknown> & {
  Labels?: Record<string, string> | null;
  TaskTemplate?: Record<string, unknown> & {
    ContainerSpec?: Record<string, unknown> & { Image?: string; Env?: string[] };
    Placement?: { Constraints?: string[]; Preferences?: unknown[] };
    Networks?: { Target: string; Aliases?: string[] }[];
    ForceUpdate?: number;
  };
  Networks?: { Target: string }[];
  Mode?: { Replicated?: { Replicas?: number }; ReplicatedJob?: object };
  EndpointSpec?: { Mode?: string; Ports?: PortConfig[] };
};
interface ServiceObject {
  ID: string;
  Version: { Index: number };
  Spec: Spec;
}

export interface UpdateArgs extends Record<string, unknown>, RestartFlags, ResourceFlags {
  image?: string | undefined;
  replicas?: number | undefined;
  'env-add'?: string[] | undefined;
  'env-rm'?: string[] | undefined;
  'label-add'?: string[] | undefined;
  'label-rm'?: string[] | undefined;
  'constraint-add'?: string[] | undefined;
  'constraint-rm'?: string[] | undefined;
  'placement-pref-add'?: string[] | undefined;
  'publish-add'?: string[] | undefined;
  'publish-rm'?: string[] | undefined;
  force?: boolean | undefined;
}

const envKey = (entry: string): string => (entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry);

/** --env-rm drops by key; --env-add replaces a key in place or appends it. */
export function updateEnv(env: readonly string[], add: readonly string[] = [], remove: readonly string[] = []): string[] {
  const out = env.filter((entry) => !remove.includes(envKey(entry)));
  for (const entry of add) {
    const index = out.findIndex((existing) => envKey(existing) === envKey(entry));
    if (index === -1) out.push(entry);
    else out[index] = entry;
  }
  return out;
}

const portKey = (p: PortConfig): string => `${p.PublishedPort ?? 0}:${p.TargetPort ?? 0}/${p.Protocol ?? 'tcp'}/${p.PublishMode ?? 'ingress'}`;

/** docker's updatePorts: --publish-rm matches target port, protocol and mode; the result is sorted. */
export function updatePorts(ports: readonly PortConfig[], add: readonly string[] = [], remove: readonly string[] = []): PortConfig[] {
  const removed = remove.map((value) => parsePublish(value, '--publish-rm'));
  const seen = new Map<string, PortConfig>();
  for (const port of ports) if (!seen.has(portKey(port))) seen.set(portKey(port), port);
  const out = [...seen.values()].filter(
    (port) => !removed.some((r) => (r.Protocol ?? 'tcp') === (port.Protocol ?? 'tcp') && r.TargetPort === port.TargetPort && (r.PublishMode ?? 'ingress') === (port.PublishMode ?? 'ingress')),
  );
  for (const value of add) {
    const port = parsePublish(value, '--publish-add');
    if (!seen.has(portKey(port))) out.push(port);
  }
  return out.sort((a, b) => (portKey(a) < portKey(b) ? -1 : portKey(a) > portKey(b) ? 1 : 0));
}

/** Every flag but the networks, applied to a spec fetched with insertDefaults=false (docker's updateService). */
export function applyServiceUpdate(spec: Spec, args: UpdateArgs): Spec {
  const out: Spec = structuredClone(spec);
  const template = (out.TaskTemplate ??= {});
  const container = (template.ContainerSpec ??= {});
  if (args.image !== undefined) container.Image = args.image;
  if (args['env-add'] || args['env-rm']) container.Env = updateEnv(container.Env ?? [], args['env-add'], args['env-rm']);
  if (args['label-add'] || args['label-rm']) {
    const labels = { ...(out.Labels ?? {}), ...keyValues(args['label-add']) };
    for (const key of args['label-rm'] ?? []) delete labels[key];
    out.Labels = labels;
  }
  if (args['constraint-add'] || args['constraint-rm'] || args['placement-pref-add']) {
    const placement = (template.Placement ??= {});
    if (args['constraint-add'] || args['constraint-rm']) {
      const constraints = [...(placement.Constraints ?? []), ...(args['constraint-add'] ?? [])];
      placement.Constraints = constraints.filter((c) => !(args['constraint-rm'] ?? []).includes(c)).sort();
    }
    if (args['placement-pref-add']) placement.Preferences = [...(placement.Preferences ?? []), ...args['placement-pref-add'].map(placementPreference)];
  }
  if (args.replicas !== undefined) {
    if (!out.Mode?.Replicated) throw new UsageError('replicas can only be used with replicated or replicated-job mode');
    out.Mode.Replicated.Replicas = args.replicas;
  }
  const restart = restartPolicy(args, template['RestartPolicy'] as Record<string, unknown> | undefined);
  if (restart) template['RestartPolicy'] = restart;
  template['Resources'] = applyResources((template['Resources'] as object | undefined) ?? {}, args);
  for (const prefix of ['update', 'rollback'] as const) {
    const flags = rolloutFlags(args, prefix);
    const key = prefix === 'update' ? 'UpdateConfig' : 'RollbackConfig';
    if (flags) out[key] = applyRollout((out[key] as Record<string, unknown> | undefined) ?? rolloutDefaults(), flags, prefix);
  }
  if (args['publish-add'] || args['publish-rm']) {
    const endpoint = (out.EndpointSpec ??= {});
    endpoint.Ports = updatePorts(endpoint.Ports ?? [], args['publish-add'], args['publish-rm']);
  }
  if (args.force) template.ForceUpdate = (template.ForceUpdate ?? 0) + 1;
  return out;
}

const networkId = async (client: EngineClient, ref: string): Promise<string> =>
  (await client.get<{ Id: string }>(`/networks/${ref}`, { scope: 'swarm' })).Id;

/** docker's updateNetworks: removals resolved first, then additions; sorted by target ID. */
async function updateNetworks(client: EngineClient, spec: Spec, add: readonly string[] = [], remove: readonly string[] = []): Promise<void> {
  const template = (spec.TaskTemplate ??= {});
  const current = template.Networks && template.Networks.length > 0 ? template.Networks : (spec.Networks ?? []);
  const removeIds = new Set<string>();
  for (const ref of remove) removeIds.add(await networkId(client, ref));
  const networks = current.filter((network) => !removeIds.has(network.Target));
  for (const ref of add) {
    const id = await networkId(client, ref);
    if (networks.some((network) => network.Target === id)) throw new UsageError(`service is already attached to network ${ref}`);
    networks.push({ Target: id });
  }
  template.Networks = networks.sort((a, b) => (a.Target < b.Target ? -1 : a.Target > b.Target ? 1 : 0));
  delete spec.Networks;
}

const ROLLBACK_COMPATIBLE = new Set(['rollback', 'detach', 'd', 'quiet', 'q', 'host', 'H', '_', '$0', '--', 'service']);

function updateOptions(y: Argv<GlobalArgs>) {
  return rolloutOptions(y)
    .positional('service', { type: 'string', demandOption: true })
    .option('image', { type: 'string', describe: 'Service image tag' })
    .option('replicas', { type: 'number', describe: 'Number of tasks' })
    .option('env-add', { type: 'string', array: true, describe: 'Add or update an environment variable' })
    .option('env-rm', { type: 'string', array: true, describe: 'Remove an environment variable' })
    .option('label-add', { type: 'string', array: true, describe: 'Add or update a service label' })
    .option('label-rm', { type: 'string', array: true, describe: 'Remove a label by its key' })
    .option('constraint-add', { type: 'string', array: true, describe: 'Add or update a placement constraint' })
    .option('constraint-rm', { type: 'string', array: true, describe: 'Remove a constraint' })
    .option('placement-pref-add', { type: 'string', array: true, describe: 'Add a placement preference' })
    .option('network-add', { type: 'string', array: true, describe: 'Add a network' })
    .option('network-rm', { type: 'string', array: true, describe: 'Remove a network' })
    .option('publish-add', { type: 'string', array: true, describe: 'Add or update a published port' })
    .option('publish-rm', { type: 'string', array: true, describe: 'Remove a published port by its target port' })
    .option('force', { type: 'boolean', describe: 'Force update even if no changes require it' })
    .option('rollback', { type: 'boolean', describe: 'Rollback to previous specification' })
    .option('no-resolve-image', { type: 'boolean', describe: 'Do not query the registry to resolve image digest' })
    .option('detach', { alias: 'd', type: 'boolean', describe: 'Exit immediately instead of waiting for the service to converge' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress progress output' })
    .strict();
}

function imageWarning(image: string): string {
  return `image ${image} could not be accessed on a registry to record\nits digest. Each node will access ${image} independently,\npossibly leading to different nodes running different\nversions of the image.\n\n`;
}

async function postUpdate(ctx: CommandContext, client: EngineClient, found: ServiceObject, spec: Spec, query: Record<string, string | number>): Promise<void> {
  const response = await client.post<{ Warnings?: string[] | null }>(`/services/${found.ID}/update`, { query: { ...query, version: found.Version.Index }, body: spec });
  for (const warning of response?.Warnings ?? []) ctx.io.err(`${warning}\n`);
}

export function registerServiceUpdate(service: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  return service
    .command('update <service>', 'Update a service', updateOptions, async (args) => {
      const client = ctx.client(args.host);
      const ref = args.service as string;
      if (args.rollback && Object.keys(args).some((key) => !ROLLBACK_COMPATIBLE.has(key) && args[key] !== undefined && args[key] !== false)) {
        throw new UsageError('other flags may not be combined with --rollback');
      }
      const found = await client.get<ServiceObject>(`/services/${ref}`, { insertDefaults: false });
      if (args.rollback) {
        await postUpdate(ctx, client, found, found.Spec, { rollback: 'previous' });
      } else {
        const spec = applyServiceUpdate(found.Spec, args as UpdateArgs);
        if (args['network-add'] || args['network-rm']) await updateNetworks(client, spec, args['network-add'], args['network-rm']);
        if (args.image !== undefined && !args['no-resolve-image']) {
          await client.get(`/distribution/${args.image}/json`).catch(() => ctx.io.err(imageWarning(args.image as string)));
        }
        await postUpdate(ctx, client, found, spec, { registryAuthFrom: 'spec' });
      }
      ctx.io.out(`${ref}\n`);
      if (!args.detach) await waitOnService(ctx, client, ref, !!args.quiet);
    })
    .command(
      'rollback <service>',
      'Revert changes to a service\'s configuration',
      (y) =>
        y
          .positional('service', { type: 'string', demandOption: true })
          .option('detach', { alias: 'd', type: 'boolean', describe: 'Exit immediately instead of waiting for the service to converge' })
          .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress progress output' })
          .strict(),
      async (args) => {
        const client = ctx.client(args.host);
        const ref = args.service as string;
        const found = await client.get<ServiceObject>(`/services/${ref}`, { insertDefaults: false });
        // docker sends an empty spec: the daemon takes PreviousSpec.
        await postUpdate(ctx, client, found, { Labels: null, TaskTemplate: { ForceUpdate: 0 }, Mode: {} }, { rollback: 'previous' });
        ctx.io.out(`${ref}\n`);
        if (!args.detach) await waitOnService(ctx, client, ref, !!args.quiet);
      },
    );
}
