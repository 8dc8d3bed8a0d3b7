// Every gRPC service a manager serves on 2377.
import type * as grpc from '@grpc/grpc-js';
import { ControlService, DispatcherService, LogBrokerService, NodeCAService, RaftService } from '@shoal/proto';
import type { Message, RaftNode } from '@shoal/raft';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import type { LogBroker } from '../control/service-logs.js';
import { logBrokerService } from '../control/service-logs-rpc.js';
import type { AuthPolicy } from '../rpc/peer-auth.js';
import type { MemoryStore, ApplyResult } from '../store/memory-store.js';
import { caService } from './ca-service.js';
import { controlService } from './control-service.js';
import { dispatcherService } from './dispatcher-service.js';
import { raftService } from './raft-service.js';

/** What the services need of the manager. */
export interface ManagerHandle {
  readonly store: MemoryStore;
  readonly raft: RaftNode<ApplyResult>;
  readonly dispatcher: Dispatcher;
  logBroker?(): LogBroker | null;
  call(method: string, payload: unknown): Promise<unknown>;
  receive(message: Message): void;
  runLocally(method: string, payload: unknown): Promise<unknown>;
}

export function addManagerServices(server: grpc.Server, manager: ManagerHandle, policy: AuthPolicy): void {
  server.addService(RaftService, raftService(manager, policy));
  server.addService(NodeCAService, caService(manager, policy));
  server.addService(ControlService, controlService(manager, policy));
  server.addService(DispatcherService, dispatcherService(manager, policy));
  server.addService(LogBrokerService, logBrokerService({ broker: () => manager.logBroker?.() ?? null }, policy));
}
