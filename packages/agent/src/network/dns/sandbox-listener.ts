// Sockets at 127.0.0.11:53 inside a sandbox's network namespace, for a sandbox that has no gateway leg
// and so no route to the node's DNS listener (internal networks only). A Node thread cannot enter a
// namespace, but a socket keeps the namespace it was made in: a short-lived helper, started inside the
// sandbox with nsenter, binds them and passes them over its IPC channel, and the agent serves them
// from then on. Unlike a DNAT to the node, this gives the sandbox no path to anything outside it.
import { fork } from 'node:child_process';
import { Socket as UdpSocket } from 'node:dgram';
import { Server } from 'node:net';
import { command } from '../command.js';
import { NetworkError } from '../errors.js';
import { EMBEDDED_DNS_ADDRESS } from './resolv-conf.js';

export interface SandboxSockets {
  readonly udp: UdpSocket;
  readonly tcp: Server;
}

export interface SandboxListenOptions {
  /** Default 127.0.0.11. */
  readonly address?: string;
  /** Default 53. */
  readonly port?: number;
  /** Bound on the helper's start, bind and hand-over. Default 10 000 ms. */
  readonly timeoutMs?: number;
}

const HELPER = new URL('./sandbox-listener-helper.js', import.meta.url).pathname;

/** Binds UDP and TCP at the embedded DNS address inside `netns` (a namespace file) and returns them here. */
export async function openSandboxSockets(netns: string, options: SandboxListenOptions = {}): Promise<SandboxSockets> {
  // A fresh namespace's loopback is down and has no 127/8 address to bind to.
  await command(['ip', 'link', 'set', 'lo', 'up'], { netns });
  const address = options.address ?? EMBEDDED_DNS_ADDRESS;
  const port = options.port ?? 53;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const child = fork(HELPER, [address, String(port)], {
    execPath: 'nsenter',
    execArgv: [`--net=${netns}`, '--', process.execPath],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let udp: UdpSocket | undefined;
  let tcp: Server | undefined;
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  try {
    return await new Promise<SandboxSockets>((resolve, reject) => {
      const fail = (why: string): void => reject(new NetworkError('command-failed', `DNS listener in sandbox ${netns}: ${why}`));
      const timer = setTimeout(() => fail(`no sockets within ${timeoutMs} ms`), timeoutMs);
      child.once('error', (err) => (clearTimeout(timer), fail(err.message)));
      child.once('exit', (code) => (clearTimeout(timer), fail(`helper exited (${code}) before handing over its sockets: ${stderr.trim()}`)));
      child.on('message', (message, handle) => {
        if (message === 'udp' && handle instanceof UdpSocket) udp = handle;
        else if (message === 'tcp' && handle instanceof Server) tcp = handle;
        else if (typeof message === 'object' && message !== null && 'error' in message) fail(String(message.error));
        if (udp !== undefined && tcp !== undefined) {
          clearTimeout(timer);
          resolve({ udp, tcp });
        }
      });
    });
  } catch (err) {
    udp?.close();
    tcp?.close();
    throw err;
  } finally {
    if (child.exitCode === null && (udp === undefined || tcp === undefined)) child.kill('SIGKILL');
  }
}
