// Joins a hijacked client connection to a process's stdio: the client's bytes become stdin, the
// process's output goes back raw (terminal) or in stdcopy frames, and the connection ends when the
// output does. A client that goes away only detaches: the process keeps running.
import type { Duplex } from 'node:stream';
import type { ProcessStdio } from '@shoal/agent';
import { stdcopyFrame } from './stdcopy.js';

export interface BridgeOptions {
  /** Relay the client's input to the process. */
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  /** The client's end of input closes the process's stdin (StdinOnce, exec). */
  readonly closeStdinOnEnd: boolean;
}

export async function bridgeStdio(conn: Duplex, stdio: ProcessStdio, options: BridgeOptions, signal: AbortSignal): Promise<void> {
  const detach = (): void => stdio.close();
  signal.addEventListener('abort', detach, { once: true });
  conn.on('error', detach);
  conn.on('close', detach);
  if (options.stdin) {
    conn.on('data', (chunk: Buffer) => stdio.writeStdin(chunk));
    conn.once('end', () => {
      if (options.closeStdinOnEnd) stdio.endStdin();
    });
  } else {
    // Input is not wanted, but it must be read for the client's half-close to arrive.
    conn.on('data', () => undefined);
  }
  conn.resume();
  try {
    for await (const chunk of stdio.output()) {
      if (chunk.stream === 'stdout' ? !options.stdout : !options.stderr) continue;
      if (!conn.writable) break;
      const bytes = stdio.tty ? chunk.data : stdcopyFrame(chunk.stream, chunk.data);
      if (!conn.write(bytes)) await waitDrain(conn, signal);
    }
  } finally {
    signal.removeEventListener('abort', detach);
    stdio.close();
    if (conn.writable) await new Promise<void>((resolve) => conn.end(() => resolve()));
  }
}

function waitDrain(conn: Duplex, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      conn.off('drain', done);
      conn.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    conn.once('drain', done);
    conn.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
