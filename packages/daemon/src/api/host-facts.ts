// Collects HostFacts from the running system.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, machine, release, totalmem } from 'node:os';
import type { HostFacts } from './system-info.js';

export interface HostFactsInput {
  readonly engineVersion: string;
  readonly engineId: string;
  readonly hostname: string;
  readonly dataRoot: string;
  readonly gitCommit?: string;
  readonly buildTime?: string;
}

export function gatherHostFacts(input: HostFactsInput): HostFacts {
  const osRelease = readOsRelease();
  return {
    engineVersion: input.engineVersion,
    gitCommit: input.gitCommit ?? '',
    buildTime: input.buildTime ?? '',
    engineId: input.engineId,
    hostname: input.hostname,
    dataRoot: input.dataRoot,
    kernelVersion: release(),
    operatingSystem: osRelease.get('PRETTY_NAME') ?? 'Linux',
    osVersion: osRelease.get('VERSION_ID') ?? '',
    architecture: machine(),
    goArch: goArch(process.arch),
    ncpu: availableParallelism(),
    memTotalBytes: totalmem(),
    cgroupVersion: existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1',
  };
}

function goArch(nodeArch: string): string {
  const names: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64: 'ppc64le' };
  return names[nodeArch] ?? nodeArch;
}

function readOsRelease(): Map<string, string> {
  const fields = new Map<string, string>();
  let content: string;
  try {
    content = readFileSync('/etc/os-release', 'utf8');
  } catch {
    return fields;
  }
  for (const line of content.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) fields.set(m[1] as string, (m[2] as string).replace(/^"(.*)"$/, '$1'));
  }
  return fields;
}
