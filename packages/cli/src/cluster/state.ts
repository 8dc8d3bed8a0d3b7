// The cluster's state file: what `up` made (its layout and how to start its daemons), written before
// anything is created so that `down` after a crash finds everything, and read by `ls`, `exec` and tests.
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import type { ClusterLayout } from './layout.js';

export const DEFAULT_STATE_ROOT = '/run/shoal-cluster';
export const DEFAULT_DATA_ROOT = '/var/lib/shoal-cluster';

export interface ClusterState {
  readonly version: 1;
  readonly layout: ClusterLayout;
  /** argv that starts a host's daemon; the per-host flags are appended (see daemon.ts). */
  readonly daemonCommand: readonly string[];
  readonly createdAt: string;
}

export function stateFile(stateDir: string): string {
  return `${stateDir}/state.json`;
}

export function writeState(state: ClusterState): void {
  const dir = state.layout.stateDir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${stateFile(dir)}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, stateFile(dir));
}

/** The state in `stateDir`, or undefined if there is none (never written, or already torn down). */
export function readState(stateDir: string): ClusterState | undefined {
  const file = stateFile(stateDir);
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
  if (state.version !== 1) throw new Error(`${file}: unknown state version ${String(state.version)}`);
  return state;
}

/** Every cluster with a state file under `stateRoot`, by name. */
export function listStates(stateRoot: string): ClusterState[] {
  if (!existsSync(stateRoot)) return [];
  return readdirSync(stateRoot)
    .sort()
    .flatMap((name) => readState(`${stateRoot}/${name}`) ?? []);
}
