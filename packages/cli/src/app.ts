// The `shoal` command tree: yargs wiring, global flags, and docker-style error reporting.

import yargs, { type Argv } from 'yargs';
import { CliFailure } from './api/errors.js';
import { TemplateError } from './format/template.js';
import { DurationParseError } from './format/duration.js';
import type { CommandContext, GlobalArgs } from './commands/context.js';
import { registerNetwork } from './commands/network.js';
import { registerNode } from './commands/node.js';
import { registerService, separateServiceCommand } from './commands/service.js';
import { registerSwarm } from './commands/swarm.js';
import { registerSystem } from './commands/system.js';
import { registerContainers } from './commands/container.js';
import { registerRun, separateRunCommand } from './commands/run.js';
import { registerExec, separateExecCommand } from './commands/exec.js';
import { registerImages } from './commands/image.js';

/** A validation failure found by yargs (unknown command or flag, missing argument). */
class ArgumentError extends Error {
  readonly code = 'ARGUMENTS';
}
/** A command group was run without a subcommand; its help has been printed. */
class HelpShown extends Error {
  readonly code = 'HELP_SHOWN';
}
const NEEDS_SUBCOMMAND = 'a subcommand is required';

/** Extra command groups (e.g. `shoal cluster`) that live in other modules. */
export type CommandGroup = (yargs: Argv<GlobalArgs>) => Argv<GlobalArgs>;

export function buildCli(argv: string[], ctx: CommandContext, extra: CommandGroup[] = []): Argv<GlobalArgs> {
  let cli = yargs(separateExecCommand(separateRunCommand(separateServiceCommand(argv))))
    .scriptName('shoal')
    .usage('Usage: shoal [OPTIONS] COMMAND\n\nDocker swarm mode, rebuilt in TypeScript')
    .option('host', { alias: 'H', type: 'string', global: true, describe: 'Daemon socket to connect to (unix:///path)' })
    // Like cobra, a repeated flag takes one value per occurrence.
    .parserConfiguration({ 'greedy-arrays': false, 'populate--': true, 'boolean-negation': false, 'parse-positional-numbers': false })
    .version(false)
    .help('help')
    .alias('help', 'h')
    .strict()
    .exitProcess(false)
    .fail((message, error, instance) => {
      if (error) throw error;
      if (message === NEEDS_SUBCOMMAND) {
        instance.showHelp('log');
        throw new HelpShown(message);
      }
      throw new ArgumentError(message);
    })
    .wrap(Math.min(120, process.stdout.columns ?? 100)) as Argv<GlobalArgs>;
  cli = registerSystem(cli, ctx);
  cli = registerSwarm(cli, ctx);
  cli = registerNode(cli, ctx);
  cli = registerNetwork(cli, ctx);
  cli = registerService(cli, ctx);
  cli = registerContainers(cli, ctx);
  cli = registerRun(cli, ctx);
  cli = registerExec(cli, ctx);
  cli = registerImages(cli, ctx);
  for (const group of extra) cli = group(cli);
  return cli.demandCommand(1, NEEDS_SUBCOMMAND);
}

function commandPath(argv: string[], unknown: string | undefined): string {
  const words: string[] = [];
  for (const word of argv) {
    if (word.startsWith('-')) continue;
    words.push(word);
    if (word === unknown) break;
  }
  return ['shoal', ...words].join(' ');
}

/** Turns a yargs validation message into docker's wording; returns the exit code. */
function reportUsage(message: string, argv: string[], ctx: CommandContext): number {
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown) {
    const first = (unknown[1] ?? '').split(', ')[0] ?? '';
    const asFlag = argv.find((word) => word.replace(/^-+/, '').split('=')[0] === first && word.startsWith('-'));
    if (asFlag) {
      ctx.io.err(`unknown flag: ${asFlag.split('=')[0]}\nSee '${commandPath(argv, undefined)} --help'.\n`);
      return 125;
    }
    const path = commandPath(argv, first);
    ctx.io.err(`shoal: unknown command: ${path}\n\nRun '${path.split(' ').slice(0, -1).join(' ')} --help' for more information\n`);
    return 1;
  }
  if (/^Not enough non-option arguments/.test(message)) {
    const path = commandPath(argv, undefined);
    ctx.io.err(`shoal: '${path}' requires at least 1 argument\n\nSee '${path} --help' for more information\n`);
    return 1;
  }
  ctx.io.err(`shoal: ${message}\nSee '${commandPath(argv, undefined)} --help'.\n`);
  return 125;
}

/** Runs one invocation and returns the exit code; never calls process.exit. */
export async function runCli(argv: string[], ctx: CommandContext, extra: CommandGroup[] = []): Promise<number> {
  try {
    await buildCli(argv, ctx, extra).parseAsync();
    return 0;
  } catch (error) {
    if (error instanceof CliFailure) {
      if (error.message !== '') ctx.io.err(`${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof TemplateError || error instanceof DurationParseError) {
      ctx.io.err(`${error.message}\n`);
      return error instanceof TemplateError ? 64 : 125;
    }
    if (error instanceof HelpShown) return 0;
    if (error instanceof ArgumentError) return reportUsage(error.message, argv, ctx);
    throw error;
  }
}
