// Which daemon to talk to: -H/--host, else DOCKER_HOST, else shoald's default socket.

import { UsageError } from './errors.js';

export const DEFAULT_HOST = 'unix:///run/shoal/shoal.sock';

export interface DaemonHost {
  /** The host as the user wrote it, for messages. */
  url: string;
  socketPath: string;
}

export function resolveHost(flag: string | undefined, env: NodeJS.ProcessEnv): DaemonHost {
  const url = flag || env['DOCKER_HOST'] || DEFAULT_HOST;
  if (!url.startsWith('unix://')) {
    throw new UsageError(`unsupported host ${JSON.stringify(url)}: shoal only speaks to unix:// sockets`);
  }
  const socketPath = url.slice('unix://'.length);
  if (socketPath === '') throw new UsageError(`invalid host ${JSON.stringify(url)}: empty socket path`);
  return { url, socketPath };
}
