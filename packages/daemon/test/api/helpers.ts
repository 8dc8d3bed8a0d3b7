// Test helpers: a raw HTTP client for the API and a test system provider.
import { execFile } from 'node:child_process';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { promisify } from 'node:util';
import type { HostFacts, SystemInfoProvider, SwarmInfoProvider } from '../../src/api/index.js';
import { inactiveSwarm } from '../../src/api/index.js';

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type Target = { readonly socketPath: string } | { readonly port: number };

export function targetOf(address: string): Target {
  if (address.startsWith('unix://')) return { socketPath: address.slice('unix://'.length) };
  return { port: Number(address.slice(address.lastIndexOf(':') + 1)) };
}

export function send(
  target: Target,
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { ...target, host: '127.0.0.1', method, path, headers: options.headers, timeout: options.timeoutMs ?? 5_000, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request ${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export const testHost: HostFacts = {
  engineVersion: '9.9.9',
  gitCommit: 'abc1234',
  buildTime: '2026-01-01T00:00:00Z',
  engineId: 'e'.repeat(64),
  hostname: 'node-1',
  dataRoot: '/var/lib/shoal-test',
  kernelVersion: '6.0.0-test',
  operatingSystem: 'Test OS',
  osVersion: '1',
  architecture: 'x86_64',
  goArch: 'amd64',
  ncpu: 2,
  memTotalBytes: 1024,
  cgroupVersion: '1',
};

export function testSystem(swarm: SwarmInfoProvider = inactiveSwarm): SystemInfoProvider {
  return { host: testHost, swarm };
}

const run = promisify(execFile);

export interface DockerResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `docker` against `socketPath`; never blocks the event loop, so an in-process server can answer. */
export async function docker(socketPath: string, configDir: string, args: string[]): Promise<DockerResult> {
  const env = { PATH: process.env['PATH'] ?? '', HOME: configDir, DOCKER_CONFIG: configDir, DOCKER_HOST: `unix://${socketPath}` };
  try {
    const { stdout, stderr } = await run('docker', args, { env, timeout: 15_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string; killed?: boolean };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
