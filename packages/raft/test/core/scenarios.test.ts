// Runs every scenario in packages/raft/testdata against a fresh interaction environment.
// REWRITE=1 rewrites the expected traces after a deliberate change (review the diff!).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { runDataDriven } from './datadriven.js';
import { InteractionEnv } from './interaction/env.js';
import { runCommand } from './interaction/handlers.js';

// Compiled to dist/test/core/, the sources' testdata is three levels up.
const TESTDATA = fileURLToPath(new URL('../../../testdata/', import.meta.url));

for (const name of readdirSync(TESTDATA).filter((f) => f.endsWith('.txt')).sort()) {
  test(`scenario ${name}`, () => {
    const env = new InteractionEnv();
    runDataDriven(TESTDATA + name, (d) => runCommand(env, d));
  });
}
