// Test helpers: a raw HTTP client for the API and a test system provider.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
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
