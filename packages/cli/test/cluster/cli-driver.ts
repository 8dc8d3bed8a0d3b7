// `shoal` with only the cluster commands, for commands.test.ts (the real entry point is wired elsewhere).
import yargs from 'yargs';
import { registerClusterCommands } from '../../src/cluster/index.js';

await registerClusterCommands(yargs(process.argv.slice(2)).scriptName('shoal'))
  .strict()
  .fail((message, err) => {
    process.stderr.write(`shoal: ${err?.message ?? message}\n`);
    process.exit(1);
  })
  .parseAsync();
