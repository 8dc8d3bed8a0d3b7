// `shoal image ls/rm/inspect` (and `images`, `rmi`), `import` and `load`: docker's requests, table
// and the daemon's JSON message stream rendered as docker renders it.

import { createReadStream } from 'node:fs';
import type { Argv } from 'yargs';
import { DaemonError, MultiError, UsageError } from '../api/errors.js';
import { humanDuration } from '../format/duration.js';
import { renderList, sortedRow, type ListFormatter, type Row } from '../format/list.js';
import { truncateId } from '../format/text.js';
import { displayJsonMessages } from '../progress/json-messages.js';
import { ProgressDisplay } from '../progress/json-stream.js';
import { filtersJson, inspectAll, type CommandContext, type GlobalArgs } from './context.js';
import { postStream } from './upload.js';

export interface ImageSummary {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created?: number;
  Size?: number;
}

export const IMAGE_FORMATTER: ListFormatter = {
  defaultTable: 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}',
  headers: { Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', Size: 'SIZE', Digest: 'DIGEST' },
};

/** go-units HumanSizeWithPrecision(size, 3): decimal units ("4.26MB"). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))}${units[unit]}`;
}

/** "registry:5000/name:tag" → ["registry:5000/name", "tag"]. */
function splitTag(reference: string): [string, string] {
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? [reference.slice(0, colon), reference.slice(colon + 1)] : [reference, '<none>'];
}

export function renderImages(images: ImageSummary[], options: { format?: string | undefined; quiet?: boolean | undefined; noTrunc: boolean; nowMs: number }): string {
  const rows: Row[] = [];
  for (const image of images) {
    const tags = (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>');
    const refs: [string, string][] = tags.length === 0 ? [['<none>', '<none>']] : tags.map(splitTag).sort((a, b) => (a.join(':') < b.join(':') ? -1 : 1));
    for (const [repository, tag] of refs) {
      rows.push(
        sortedRow({
          ID: options.noTrunc ? image.Id : truncateId(image.Id),
          Repository: repository,
          Tag: tag,
          Digest: '<none>',
          CreatedSince: `${humanDuration((options.nowMs - (image.Created ?? 0) * 1000) * 1e6)} ago`,
          CreatedAt: new Date((image.Created ?? 0) * 1000).toISOString(),
          Size: humanSize(image.Size ?? 0),
        }),
      );
    }
  }
  return renderList(IMAGE_FORMATTER, rows, options);
}

function listOptions(y: Argv<GlobalArgs>) {
  return y
    .option('all', { alias: 'a', type: 'boolean', describe: 'Show all images (default hides intermediate images)' })
    .option('filter', { alias: 'f', type: 'string', array: true, describe: 'Filter output based on conditions provided' })
    .option('format', { type: 'string', describe: 'Format output using a custom template' })
    .option('no-trunc', { type: 'boolean', describe: "Don't truncate output" })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only show image IDs' })
    .strict();
}

function rmOptions(y: Argv<GlobalArgs>) {
  return y
    .option('force', { alias: 'f', type: 'boolean', describe: 'Force removal of the image' })
    .option('no-prune', { type: 'boolean', describe: 'Do not delete untagged parents' })
    .strict();
}

export function registerImages(yargs: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  const list = async (args: { host?: string | undefined; all?: boolean | undefined; filter?: string[] | undefined; format?: string | undefined; quiet?: boolean | undefined; 'no-trunc'?: boolean | undefined }) => {
    const images = await ctx.client(args.host).get<ImageSummary[]>('/images/json', { all: args.all ? '1' : undefined, filters: filtersJson(args.filter) });
    ctx.io.out(renderImages(images, { format: args.format, quiet: args.quiet, noTrunc: !!args['no-trunc'], nowMs: ctx.nowMs() }));
  };
  const remove = async (args: { host?: string | undefined; images?: unknown; force?: boolean | undefined; 'no-prune'?: boolean | undefined }) => {
    const client = ctx.client(args.host);
    const errors: Error[] = [];
    for (const ref of args.images as string[]) {
      try {
        const response = await client.request('DELETE', `/images/${ref}`, { query: { force: args.force ? '1' : undefined, noprune: args['no-prune'] ? '1' : undefined } });
        const items = JSON.parse(response.text || '[]') as { Untagged?: string; Deleted?: string }[];
        for (const item of items) ctx.io.out(item.Untagged ? `Untagged: ${item.Untagged}\n` : `Deleted: ${item.Deleted ?? ''}\n`);
      } catch (error) {
        if (!(error instanceof DaemonError)) throw error;
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new MultiError(errors);
  };
  return yargs
    .command('image', 'Manage images', (image) =>
      image
        .command(['ls', 'list'], 'List images', listOptions, list)
        .command(['rm <images..>', 'remove'], 'Remove one or more images', rmOptions, remove)
        .command(
          'inspect <images..>',
          'Display detailed information on one or more images',
          (y) => y.option('format', { alias: 'f', type: 'string', describe: 'Format output using a custom template' }).strict(),
          async (args) => {
            const client = ctx.client(args.host);
            await inspectAll(ctx, args.images as string[], args.format, (ref) => client.get(`/images/${ref}/json`));
          },
        )
        .demandCommand(1, 'a subcommand is required'),
    )
    .command('images', 'List images', listOptions, list)
    .command('rmi <images..>', 'Remove one or more images', rmOptions, remove)
    .command(
      'import <file> [reference]',
      'Import the contents from a tarball to create a filesystem image',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'file|-' })
          .option('message', { alias: 'm', type: 'string', describe: 'Set commit message for imported image' })
          .option('change', { alias: 'c', type: 'string', array: true, describe: 'Apply Dockerfile instruction to the created image' })
          .strict(),
      async (args) => {
        // yargs reads a lone "-" as a flag without a name and hands over `true`.
        const file = typeof args.file === 'string' && args.file !== '' ? args.file : '-';
        const source = file === '-' ? ctx.stdin : createReadStream(file);
        if (!source) throw new UsageError('cannot read the image from stdin');
        const query = { fromSrc: '-', repo: args.reference as string | undefined, message: args.message, changes: args.change?.[0] };
        const response = await postStream(ctx.client(args.host), '/images/create', query, source, 'text/plain');
        await displayJsonMessages(response as AsyncIterable<Buffer>, display(ctx));
      },
    )
    .command(
      'load',
      'Load an image from a tar archive or STDIN',
      (y) =>
        y
          .option('input', { alias: 'i', type: 'string', describe: 'Read from tar archive file, instead of STDIN' })
          .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress the load output' })
          .strict(),
      async (args) => {
        const source = args.input !== undefined ? createReadStream(args.input) : ctx.stdin;
        if (!source || (args.input === undefined && (source as NodeJS.ReadStream).isTTY)) {
          throw new UsageError('requested load from stdin, but stdin is empty');
        }
        // Like docker, a load whose output is not a terminal asks for the quiet stream.
        const quiet = args.quiet || ctx.terminal === undefined;
        const response = await postStream(ctx.client(args.host), '/images/load', { quiet: quiet ? '1' : '0' }, source, 'application/x-tar');
        await displayJsonMessages(response as AsyncIterable<Buffer>, display(ctx));
      },
    );
}

function display(ctx: CommandContext): ProgressDisplay {
  return new ProgressDisplay((text) => ctx.io.out(text), { terminal: ctx.terminal !== undefined, ...(ctx.terminal ? { columns: ctx.terminal.columns } : {}) });
}
