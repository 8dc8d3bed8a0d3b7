// The docker CLI on a terminal, as a user types at it: util-linux `script` gives it one, and keys are
// typed one entry at a time.
import { spawn } from 'node:child_process';
import type { HostLayout } from '@shoal/cli/cluster';

const TERMINAL_MS = 30_000;

/**
 * Runs `command` with a terminal (script), typing `keys` one entry at a time, `gapMs` apart, and keeping
 * the terminal's input open until the command exits (an end of input would reach the container).
 */
export function onTerminal(host: HostLayout, command: string, keys: readonly string[] = [], gapMs = 700): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', `stty rows 30 cols 90; ${command}`, '/dev/null'], {
      env: { ...process.env, DOCKER_HOST: `unix://${host.socket}` },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stdin.on('error', () => undefined);
    const timers = keys.map((k, i) => setTimeout(() => child.stdin.write(k), gapMs * (i + 1)));
    const killer = setTimeout(() => child.kill('SIGKILL'), TERMINAL_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      for (const timer of [...timers, killer]) clearTimeout(timer);
      child.stdin.destroy();
      if (code === null) reject(new Error(`${command}: no exit within ${TERMINAL_MS} ms; output ${JSON.stringify(output)}`));
      else resolve({ code, output });
    });
  });
}
