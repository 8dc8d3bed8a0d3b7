// One handler per scenario command.
import type { Directive } from '../datadriven.js';
import type { InteractionEnv } from './env.js';
import { addNodes, restart } from './handlers-setup.js';
import * as input from './handlers-input.js';
import * as net from './handlers-network.js';
import * as inspect from './handlers-inspect.js';

type Handler = (env: InteractionEnv, d: Directive) => void;

const HANDLERS: Readonly<Record<string, Handler>> = {
  'add-nodes': addNodes,
  'restart': restart,
  'tick-election': input.tickElection,
  'tick-heartbeat': input.tickHeartbeat,
  'tick': input.tick,
  'campaign': input.campaign,
  'propose': input.propose,
  'propose-conf-change': input.proposeConfChange,
  'transfer-leadership': input.transferLeadership,
  'read-index': input.readIndex,
  'report-unreachable': input.reportUnreachable,
  'report-snapshot': input.reportSnapshot,
  'compact': input.compact,
  'process-ready': net.processReady,
  'deliver-msgs': net.deliverMsgs,
  'drop-msgs': net.dropMsgs,
  'stabilize': net.stabilize,
  'partition': net.partition,
  'heal': net.heal,
  'raft-state': inspect.raftState,
  'raft-log': inspect.raftLog,
  'status': inspect.status,
  'app-state': inspect.appState,
  'log-level': inspect.logLevel,
};

export function runCommand(env: InteractionEnv, d: Directive): string {
  const handler = HANDLERS[d.command];
  if (handler === undefined) throw new Error(`${d.file}:${d.line}: unknown command ${d.command}`);
  return env.capture(() => handler(env, d));
}
