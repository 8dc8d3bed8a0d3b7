// `shoal service scale SERVICE=REPLICAS...`: docker's GET (insertDefaults=false) and POST update with
// only the replica count changed, per argument, then each one's convergence unless --detach;
// errors are reported together at the end.
import type { Argv } from 'yargs';
import { DaemonError, MultiError, UsageError } from '../api/errors.js';
import type { CommandContext, GlobalArgs } from './context.js';
import { waitOnService } from '../progress/wait-on-service.js';

export function registerServiceScale(service: Argv<GlobalArgs>, ctx: CommandContext): Argv<GlobalArgs> {
  return service.command(
    'scale <scales..>',
    'Scale one or multiple replicated services',
    (y) => y.option('detach', { alias: 'd', type: 'boolean', describe: 'Exit immediately instead of waiting for the service to converge' }).strict(),
    async (args) => {
      const client = ctx.client(args.host);
      const scales = args.scales as string[];
      for (const arg of scales) {
        const [name = '', replicas = ''] = arg.split('=');
        if (!arg.includes('=') || name === '' || replicas === '') {
          throw new UsageError(`Invalid scale specifier '${arg}'.\nSee 'shoal service scale --help'.\n\nUsage:  shoal service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]\n\nScale one or multiple replicated services`);
        }
      }
      const errors: Error[] = [];
      const scaled: string[] = [];
      for (const arg of scales) {
        const [name = '', replicas = ''] = arg.split('=');
        try {
          const found = await client.get<{ ID: string; Version: { Index: number }; Spec: { Mode?: { Replicated?: object; ReplicatedJob?: object } } }>(
            `/services/${name}`,
            { insertDefaults: false },
          );
          const count = Number(replicas);
          if (!Number.isInteger(count) || count < 0) throw new UsageError(`invalid replicas value ${replicas}: invalid syntax`);
          if (!found.Spec.Mode?.Replicated) throw new UsageError(`scale can only be used with replicated or replicated-job mode`);
          const spec = { ...found.Spec, Mode: { Replicated: { Replicas: count } } };
          await client.post(`/services/${found.ID}/update`, { query: { version: found.Version.Index }, body: spec });
          ctx.io.out(`${name} scaled to ${count}\n`);
          scaled.push(name);
        } catch (error) {
          if (!(error instanceof DaemonError || error instanceof UsageError)) throw error;
          errors.push(error);
        }
      }
      // Like docker, every service is scaled first, then each one's convergence is shown in turn.
      for (const name of args.detach ? [] : scaled) {
        try {
          await waitOnService(ctx, client, name, false);
        } catch (error) {
          if (!(error instanceof DaemonError || error instanceof UsageError)) throw error;
          errors.push(error);
        }
      }
      if (errors.length > 0) throw new MultiError(errors);
    },
  );
}
