// Docker's rules for what a container runs, from its spec and its image's config. Pure.
import type { ImageRunConfig } from '../images/types.js';
import { RuntimeError, type ContainerSpec, type ResolvedProcess } from './types.js';

export const defaultPathEnv = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function resolveProcess(spec: ContainerSpec, image: ImageRunConfig): ResolvedProcess {
  const ownEntrypoint = spec.entrypoint !== undefined;
  const entrypoint = nonEmpty(ownEntrypoint ? spec.entrypoint : image.Entrypoint);
  // An entrypoint given on create drops the image's Cmd, as `docker run --entrypoint` does.
  const cmd = nonEmpty(spec.cmd ?? (ownEntrypoint ? null : image.Cmd));
  if ((entrypoint?.length ?? 0) + (cmd?.length ?? 0) === 0) throw new RuntimeError('invalid-argument', 'No command specified');
  return {
    entrypoint,
    cmd,
    env: mergeEnv(image.Env ?? [], spec.env ?? []),
    workingDir: spec.workingDir || image.WorkingDir || '',
    user: spec.user ?? image.User ?? '',
    hostname: spec.hostname || spec.id.slice(0, 12),
  };
}

/** Later entries replace earlier ones with the same key, keeping the first one's position. */
export function mergeEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const out: string[] = [];
  const index = new Map<string, number>();
  for (const entry of [...base, ...overrides]) {
    const key = entry.split('=', 1)[0]!;
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, out.length);
      out.push(entry);
    } else out[at] = entry;
  }
  return out;
}

/** The process environment as dockerd builds it: default PATH, HOSTNAME, then the container's Env over them. */
export function processEnv(resolved: ResolvedProcess, tty: boolean): string[] {
  const extra = [
    defaultPathEnv,
    `HOSTNAME=${resolved.hostname}`,
    ...(tty ? ['TERM=xterm'] : []),
  ];
  return mergeEnv(extra, resolved.env);
}

function nonEmpty(v: readonly string[] | null | undefined): readonly string[] | null {
  return v == null || v.length === 0 ? null : [...v];
}
