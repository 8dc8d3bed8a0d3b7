// `shoal run [-d] [--name] [--network] [-p] [--rm] [-e] IMAGE [CMD]`: docker's create, wait (subscribed
// before start, as docker does) and start; in the foreground the output is followed until the
// container exits, and shoal exits with its status.
import type { Argv } from 'yargs';
import { ExitStatus } from '../api/errors.js';
import type { CommandContext, GlobalArgs } from './context.js';
import { streamContainerLogs } from './container.js';

export interface RunArgs {
  image: string;
  command: string[];
  name?: string | undefined;
  network?: string | undefined;
  publish?: string[] | undefined;
  env?: string[] | undefined;
  rm?: boolean | undefined;
}

/** docker's port bindings from -p [[ip:]published:]target[/proto]. */
function portBindings(publish: readonly string[]): { exposed: Record<string, object>; bindings: Record<string, { HostIp: string; HostPort: string }[]> } {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const value of publish) {
    const [spec = '', proto = 'tcp'] = value.split('/');
    const parts = spec.split(':');
    const target = parts.pop() ?? '';
    const hostPort = parts.pop() ?? '';
    const hostIp = parts.pop() ?? '';
    const key = `${target}/${proto}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: hostIp, HostPort: hostPort });
  }
  return { exposed, bindings };
}

/** The body docker sends to POST /containers/create for these flags. */
export function createBody(args: RunArgs): Record<string, unknown> {
  const { exposed, bindings } = portBindings(args.publish ?? []);
  return {
    Hostname: '',
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ...(Object.keys(exposed).length > 0 ? { ExposedPorts: exposed } : {}),
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: args.env && args.env.length > 0 ? args.env : null,
    Cmd: args.command.length > 0 ? args.command : null,
    Image: args.image,
    Volumes: {},
    WorkingDir: '',
    Entrypoint: null,
    OnBuild: null,
    Labels: {},
    HostConfig: {
      Binds: null,
      ContainerIDFile: '',
      LogConfig: { Type: '', Config: {} },
      NetworkMode: args.network ?? 'default',
      PortBindings: bindings,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      AutoRemove: !!args.rm,
    },
    NetworkingConfig: { EndpointsConfig: {} },
  };
}

export function registerRun(yargs: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  return yargs.command(
    'run <image> [command..]',
    'Create and run a new container from an image',
    (y) =>
      y
        .positional('image', { type: 'string', demandOption: true })
        .option('detach', { alias: 'd', type: 'boolean', describe: 'Run container in background and print container ID' })
        .option('name', { type: 'string', describe: 'Assign a name to the container' })
        .option('network', { type: 'string', describe: 'Connect a container to a network' })
        .option('publish', { alias: 'p', type: 'string', array: true, describe: "Publish a container's port(s) to the host" })
        .option('env', { alias: 'e', type: 'string', array: true, describe: 'Set environment variables' })
        .option('rm', { type: 'boolean', describe: 'Automatically remove the container when it exits' })
        .strict(),
    async (args) => {
      const client = ctx.client(args.host);
      const rest = ((args as { '--'?: (string | number)[] })['--'] ?? []).map(String);
      const command = [...((args.command as string[] | undefined) ?? []).map(String), ...rest];
      const created = await client.post<{ Id: string }>('/containers/create', {
        query: { name: args.name },
        body: createBody({ ...args, image: args.image as string, command }),
      });
      const id = created?.Id ?? '';
      const wait = await client.stream('POST', `/containers/${id}/wait`, { query: { condition: args.rm ? 'removed' : 'next-exit' } });
      await client.request('POST', `/containers/${id}/start`);
      if (args.detach) {
        wait.destroy();
        ctx.io.out(`${id}\n`);
        return;
      }
      const status = new Promise<number>((resolve) => {
        let text = '';
        wait.setEncoding('utf8').on('data', (d: string) => (text += d));
        wait.on('end', () => resolve(Number((JSON.parse(text || '{}') as { StatusCode?: number }).StatusCode ?? 0)));
        wait.on('error', () => resolve(125));
      });
      await streamContainerLogs(ctx, args.host, id, { follow: '1' }).catch(() => undefined);
      const code = await status;
      if (code !== 0) throw new ExitStatus(code);
    },
  );
}

const RUN_BOOLEAN_FLAGS = new Set(['-d', '--detach', '--rm', '--help', '-h']);

/** `run IMAGE COMMAND ARGS...` passes everything after the image to the container, like `service create`. */
export function separateRunCommand(argv: string[]): string[] {
  const run = argv.indexOf('run');
  if (run === -1) return argv;
  for (let index = run + 1; index < argv.length; index++) {
    const word = argv[index] as string;
    if (word === '--') return argv;
    if (!word.startsWith('-') || word === '-') return [...argv.slice(0, index + 1), '--', ...argv.slice(index + 1)];
    if (!word.includes('=') && !RUN_BOOLEAN_FLAGS.has(word)) index++;
  }
  return argv;
}
