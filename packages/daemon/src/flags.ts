// shoald's command line. Parsing never exits the process: it returns a config or help text, or
// throws FlagError, and main decides the exit code (2 for bad flags, like most daemons).
import { hostname as kernelHostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { invalidInsecureRegistry } from '@shoal/agent';
import yargs from 'yargs';
import { logLevels, type LogLevel } from './log.js';

export const dataRootDefault = '/var/lib/shoal';
export const execRootDefault = '/run/shoal';
export const hostDefault = 'unix:///run/shoal/shoal.sock';
export const registryCertsDirDefault = '/etc/docker/certs.d';

export interface DaemonConfig {
  /** Absolute directory for persistent state (node identity, certificates, raft log). */
  readonly dataRoot: string;
  /** Absolute directory for runtime state that does not survive a reboot. */
  readonly execRoot: string;
  /** Absolute path of the Engine API unix socket. */
  readonly socketPath: string;
  /** The node's name; hosts made of network namespaces share one kernel hostname. */
  readonly hostname: string;
  readonly logLevel: LogLevel;
  /** Registries reached over plain HTTP or without verifying certificates (host[:port] or CIDR). */
  readonly insecureRegistries: readonly string[];
  /** Per-registry CAs and client certificates, in Docker's certs.d layout. */
  readonly registryCertsDir: string;
}

export type FlagsResult = { readonly kind: 'run'; readonly config: DaemonConfig } | { readonly kind: 'help'; readonly text: string };

export class FlagError extends Error {
  readonly code = 'invalid-flags';
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export async function parseFlags(argv: readonly string[]): Promise<FlagsResult> {
  const { values: insecure, rest } = repeated(argv, '--insecure-registry');
  const parser = yargs(rest)
    .scriptName('shoald')
    .usage('Usage: $0 [OPTIONS]\n\nThe shoal daemon: serves the Docker Engine API and runs this node of the swarm.')
    .wrap(100)
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .help(false)
    .version(false)
    .option('data-root', { type: 'string', requiresArg: true, default: dataRootDefault, describe: 'Root directory of persistent state' })
    .option('exec-root', { type: 'string', requiresArg: true, default: execRootDefault, describe: 'Root directory for runtime state' })
    .option('host', { alias: 'H', type: 'string', requiresArg: true, default: hostDefault, describe: 'Socket to serve the Engine API on (unix:///path)' })
    .option('hostname', { type: 'string', requiresArg: true, describe: 'Name of this node (default: the kernel hostname)' })
    .option('log-level', { type: 'string', requiresArg: true, choices: logLevels, default: 'info', describe: 'Logging level' })
    .option('insecure-registry', { type: 'string', requiresArg: true, describe: 'Registry to reach over plain HTTP or unverified TLS (host[:port] or CIDR); repeatable' })
    .option('registry-certs-dir', { type: 'string', requiresArg: true, default: registryCertsDirDefault, describe: 'Per-registry CAs and client certificates (<dir>/<host:port>/{*.crt,client.cert,client.key})' })
    .option('help', { alias: 'h', type: 'boolean', describe: 'Print usage' })
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      throw new FlagError(msg ?? err?.message ?? 'invalid arguments');
    });
  const args = parser.parseSync();
  if (args.help === true) return { kind: 'help', text: await parser.getHelp() };
  return {
    kind: 'run',
    config: {
      dataRoot: directory('--data-root', args.dataRoot),
      execRoot: directory('--exec-root', args.execRoot),
      socketPath: socketPath(args.host),
      hostname: nodeName(args.hostname ?? kernelHostname()),
      logLevel: args.logLevel as LogLevel,
      insecureRegistries: insecureRegistries(insecure),
      registryCertsDir: directory('--registry-certs-dir', args.registryCertsDir),
    },
  };
}

function directory(flag: string, value: string): string {
  if (value.trim() === '') throw new FlagError(`${flag} must not be empty`);
  return resolve(value);
}

/**
 * Takes every `--flag value` / `--flag=value` out of argv: repeatable flags, which the parser (set to
 * let a repeated flag's last value win, as for every other flag) would otherwise collapse.
 */
function repeated(argv: readonly string[], flag: string): { values: string[]; rest: string[] } {
  const values: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith(`${flag}=`)) values.push(arg.slice(flag.length + 1));
    else if (arg === flag && i + 1 < argv.length) values.push(argv[++i]!);
    else rest.push(arg);
  }
  return { values, rest };
}

function insecureRegistries(values: readonly string[]): string[] {
  for (const value of values) {
    const problem = invalidInsecureRegistry(value);
    if (problem !== undefined) throw new FlagError(problem);
  }
  return [...values];
}

function socketPath(host: string): string {
  const prefix = 'unix://';
  const path = host.startsWith(prefix) ? host.slice(prefix.length) : '';
  if (!isAbsolute(path)) {
    throw new FlagError(`invalid --host "${host}": expected unix:///absolute/path.sock`);
  }
  return path;
}

function nodeName(name: string): string {
  if (!/^[A-Za-z0-9]([A-Za-z0-9._-]{0,252})$/.test(name)) {
    throw new FlagError(`invalid --hostname "${name}": use letters, digits, ".", "_" and "-"`);
  }
  return name;
}
