// docker's waitOnService: after create/update/scale/rollback, follow the service's convergence
// over the Engine API and draw it on stdout (or swallow it with --quiet), until it converges or
// the user presses Ctrl-C.

import type { EngineClient } from '../api/client.js';
import { filtersJson, type CommandContext } from '../commands/context.js';
import { ProgressDisplay } from './json-stream.js';
import { watchServiceProgress, type ProgressClock, type ProgressSource } from './service-progress.js';
import type { ProgressService, ProgressTask } from './updaters.js';

export function engineSource(client: EngineClient): ProgressSource {
  return {
    service: (id) => client.get<ProgressService>(`/services/${id}`, { insertDefaults: false }),
    upToDateTasks: (id) => client.get<ProgressTask[]>('/tasks', { filters: filtersJson([`service=${id}`, '_up-to-date=true']) }),
    async activeNodes() {
      const nodes = await client.get<{ ID: string; Status?: { State?: string } }[]>('/nodes');
      return new Set(nodes.filter((node) => node.Status?.State !== 'down').map((node) => node.ID));
    },
  };
}

/** Real time, with SIGINT ending the current wait (docker stops watching, the update goes on). */
function interruptibleClock(): ProgressClock & { close(): void } {
  let interrupted = false;
  let wake: (() => void) | undefined;
  const onSigint = (): void => {
    interrupted = true;
    wake?.();
  };
  process.on('SIGINT', onSigint);
  return {
    nowMs: () => Date.now(),
    sleep: (ms) =>
      new Promise<boolean>((resolve) => {
        if (interrupted) return resolve(true);
        const timer = setTimeout(() => resolve(false), ms);
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      }),
    close: () => process.off('SIGINT', onSigint),
  };
}

export async function waitOnService(ctx: CommandContext, client: EngineClient, serviceRef: string, quiet: boolean): Promise<void> {
  const display = new ProgressDisplay((text) => ctx.io.out(text), {
    terminal: ctx.terminal !== undefined,
    ...(ctx.terminal ? { columns: ctx.terminal.columns } : {}),
  });
  const clock = interruptibleClock();
  try {
    await watchServiceProgress(engineSource(client), clock, (message) => (quiet ? undefined : display.show(message)), { serviceRef });
  } finally {
    clock.close();
  }
}
