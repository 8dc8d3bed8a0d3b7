// `shoal node ...`: the same requests and output as `docker node ...`.

import type { Argv } from 'yargs';
import { UsageError } from '../api/errors.js';
import type { EngineClient } from '../api/client.js';
import { filtersJson, forEachArg, inspectAll, keyValues, resolveSelf, type CommandContext, type GlobalArgs } from './context.js';
import { renderNodeList, renderNodePretty, type Node, type SwarmInfo } from './node-format.js';
import { NameResolver, renderTasks, type Task } from './tasks.js';

async function changeRole(ctx: CommandContext, client: EngineClient, ref: string, role: 'manager' | 'worker'): Promise<void> {
  const node = await client.get<Node>(`/nodes/${ref}`);
  if (node.Spec.Role === role) {
    ctx.io.out(`Node ${ref} is already a ${role}.\n`);
    return;
  }
  node.Spec.Role = role;
  await client.post(`/nodes/${node.ID}/update`, { query: { version: node.Version.Index }, body: node.Spec });
  ctx.io.out(role === 'manager' ? `Node ${ref} promoted to a manager in the swarm.\n` : `Manager ${ref} demoted in the swarm.\n`);
}

interface UpdateArgs {
  role?: string | undefined;
  availability?: string | undefined;
  'label-add'?: string[] | undefined;
  'label-rm'?: string[] | undefined;
}

/** Applies `node update` flags to a spec fetched from the daemon, like docker's updateNodes. */
export function applyNodeUpdate(spec: Node['Spec'], args: UpdateArgs): void {
  if (args.role !== undefined) spec.Role = args.role;
  if (args.availability !== undefined) spec.Availability = args.availability;
  if (args['label-add'] !== undefined) spec.Labels = { ...(spec.Labels ?? {}), ...keyValues(args['label-add']) };
  if (args['label-rm'] !== undefined) {
    const labels = { ...(spec.Labels ?? {}) };
    for (const key of args['label-rm']) {
      if (!(key in labels)) throw new UsageError(`key ${key} doesn't exist in node's labels`);
      delete labels[key];
    }
    spec.Labels = labels;
  }
}

function listOptions(y: Argv<GlobalArgs>) {
  return y
    .option('filter', { alias: 'f', type: 'string', array: true, describe: 'Filter output based on conditions provided' })
    .option('format', { type: 'string', describe: 'Format output using a custom template' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only display IDs' });
}

export function registerNode(yargs: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  return yargs.command('node', 'Manage Swarm nodes', (node) =>
    node
      .command(['ls', 'list'], 'List nodes in the swarm', (y) => listOptions(y).strict(), async (args) => {
        const client = ctx.client(args.host);
        const nodes = await client.get<Node[]>('/nodes', { filters: filtersJson(args.filter) });
        const swarm = args.quiet || nodes.length === 0 ? {} : ((await client.get<{ Swarm?: SwarmInfo }>('/info')).Swarm ?? {});
        ctx.io.out(renderNodeList(nodes, swarm, { format: args.format, quiet: args.quiet }));
      })
      .command(
        'inspect <nodes..>',
        'Display detailed information on one or more nodes',
        (y) =>
          y
            .positional('nodes', { type: 'string', array: true, demandOption: true, describe: 'self|NODE' })
            .option('format', { alias: 'f', type: 'string', describe: 'Format output using a custom template' })
            .option('pretty', { type: 'boolean', describe: 'Print the information in a human friendly format' })
            .strict(),
        async (args) => {
          const client = ctx.client(args.host);
          const fetch = async (ref: string): Promise<Node> => client.get<Node>(`/nodes/${await resolveSelf(client, ref)}`);
          if (args.pretty) {
            for (const ref of args.nodes) ctx.io.out(renderNodePretty(await fetch(ref)));
            return;
          }
          await inspectAll(ctx, args.nodes, args.format, fetch);
        },
      )
      .command('promote <nodes..>', 'Promote one or more nodes to manager in the swarm', (y) => y.strict(), async (args) => {
        const client = ctx.client(args.host);
        for (const ref of args.nodes as string[]) await changeRole(ctx, client, ref, 'manager');
      })
      .command('demote <nodes..>', 'Demote one or more nodes from manager in the swarm', (y) => y.strict(), async (args) => {
        const client = ctx.client(args.host);
        for (const ref of args.nodes as string[]) await changeRole(ctx, client, ref, 'worker');
      })
      .command(
        'update <node>',
        'Update a node',
        (y) =>
          y
            .positional('node', { type: 'string', demandOption: true })
            .option('availability', { type: 'string', describe: 'Availability of the node ("active", "pause", "drain")' })
            .option('label-add', { type: 'string', array: true, describe: 'Add or update a node label (key=value)' })
            .option('label-rm', { type: 'string', array: true, describe: 'Remove a node label if exists' })
            .option('role', { type: 'string', describe: 'Role of the node ("worker", "manager")' })
            .strict(),
        async (args) => {
          const client = ctx.client(args.host);
          const found = await client.get<Node>(`/nodes/${args.node}`);
          applyNodeUpdate(found.Spec, args);
          await client.post(`/nodes/${found.ID}/update`, { query: { version: found.Version.Index }, body: found.Spec });
          ctx.io.out(`${args.node}\n`);
        },
      )
      .command(
        ['rm <nodes..>', 'remove'],
        'Remove one or more nodes from the swarm',
        (y) => y.option('force', { alias: 'f', type: 'boolean', describe: 'Force remove a node from the swarm' }).strict(),
        async (args) => {
          const client = ctx.client(args.host);
          await forEachArg(args.nodes as string[], async (ref) => {
            await client.delete(`/nodes/${ref}`, { force: args.force ? 1 : undefined });
            ctx.io.out(`${ref}\n`);
          });
        },
      )
      .command(
        'ps [nodes..]',
        'List tasks running on one or more nodes, defaults to current node',
        (y) =>
          listOptions(y)
            .option('no-resolve', { type: 'boolean', describe: 'Do not map IDs to Names' })
            .option('no-trunc', { type: 'boolean', describe: 'Do not truncate output' })
            .strict(),
        async (args) => {
          const client = ctx.client(args.host);
          const refs = (args.nodes as string[] | undefined) ?? ['self'];
          const tasks: Task[] = [];
          for (const ref of refs) {
            const found = await client.get<Node>(`/nodes/${await resolveSelf(client, ref)}`);
            const filters = [...(args.filter ?? []), `node=${found.ID}`];
            tasks.push(...(await client.get<Task[]>('/tasks', { filters: filtersJson(filters) })));
          }
          const options = { noTrunc: !!args['no-trunc'], noResolve: !!args['no-resolve'], quiet: !!args.quiet, format: args.format };
          ctx.io.out(await renderTasks(tasks, new NameResolver(client), { ...options, nowMs: ctx.nowMs() }));
        },
      )
      .demandCommand(1, 'a subcommand is required'),
  );
}
