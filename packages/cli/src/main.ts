// shoal entry point.
import { hideBin } from 'yargs/helpers';
import { runCli } from './app.js';
import { registerClusterCommands } from './cluster/index.js';
import { processContext } from './commands/context.js';

process.exitCode = await runCli(hideBin(process.argv), processContext(), [registerClusterCommands]);
