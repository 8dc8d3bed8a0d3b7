// This host's membership in a swarm: init, join, leave, restart with the same identity, and the
// switch between worker and manager when the cluster promotes or demotes the node. It owns the
// manager (on managers) and the agent's session (always, once in a swarm).
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { AgentSession, Dataplane, DispatcherLink, LogPublisher, OverlayDriver, Worker, type ContainerRuntime, type LiveContainer, type TaskImages } from '@shoal/agent';
import {
  ControlError,
  Manager,
  defaultClusterSpec,
  NodeCertificateStore,
  channelOptions,
  clientCredentials,
  createRootCa,
  forceNewCluster,
  issueNodeCertificate,
  createKeyAndCsr,
  renewalTimeMs,
  certificateExpiry as certificateNotAfter,
  newId,
  notManagerMessage,
  notManagerWorkerMessage,
  type TlsIdentity,
  type LogSelector,
  type LogSink,
} from '@shoal/manager';
import type { SessionMessage } from '@shoal/proto';
import type { HostFacts, SwarmInfo } from '../api/system-info.js';
import type { Logger } from '../log.js';
import { chooseAdvertiseAddr, formatHostPort, parseListenAddr, resolveDataPathAddr } from './addresses.js';
import { callAsAgent } from './agent-call.js';
import { initialClusterActions, initialRaftTicks, nodeDescription, type InitRequest } from './init.js';
import { joinRaft, leaveRaft, renewCertificate, requestAdmission } from './join-client.js';
import { SwarmStateFile, type ManagerAddr, type SwarmState } from './state-file.js';
import { leaveRefusal, type JoinRequest } from './requests.js';

const JOIN_READY_WAIT_MS = 20_000;
const joinStillGoing =
  'Timeout was reached before node joined. The attempt to join the swarm will continue in the background. Use the "docker info" command to see the current swarm status of your node.';
const alreadyInSwarm = 'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.';
const notInSwarm = 'This node is not part of a swarm';
const LEADERSHIP_WAIT_MS = 15_000;

export interface SwarmNodeConfig {
  readonly dataRoot: string;
  readonly host: HostFacts;
  readonly log: Logger;
  /** Wall-clock length of a Raft tick; the cluster spec gives election/heartbeat in ticks. */
  readonly raftTickMs: number;
  /** Runs the swarm tasks assigned to this node; without it the node takes no tasks' containers. */
  readonly runtime?: ContainerRuntime;
  /** Standalone containers on swarm networks still running from before a restart (see Dataplane). */
  readonly liveContainers?: () => readonly LiveContainer[];
  /** Pulls the images of this node's tasks; default none (tasks need images already here). */
  readonly taskImages?: TaskImages;
}

export class SwarmNode {
  readonly #config: SwarmNodeConfig;
  readonly #stateFile: SwarmStateFile;
  readonly #certs: NodeCertificateStore;
  #state: SwarmState | null = null;
  #identity: TlsIdentity | null = null;
  #credentialsOf: { readonly identity: TlsIdentity; readonly credentials: grpc.ChannelCredentials } | undefined;
  #manager: Manager | null = null;
  #session: AgentSession | null = null;
  /** The task executor and its line to the managers, alive while the node is in a swarm. */
  #tasks: { worker: Worker; link: DispatcherLink; logs: LogPublisher; dataplane: Dataplane } | null = null;
  /** Serialises lifecycle changes (init, join, leave, role switches). */
  #queue: Promise<unknown> = Promise.resolve();
  #error = '';
  #renewal: NodeJS.Timeout | null = null;

  constructor(config: SwarmNodeConfig) {
    this.#config = config;
    this.#stateFile = new SwarmStateFile(config.dataRoot);
    this.#certs = new NodeCertificateStore(this.#stateFile.dir);
  }

  /** After a restart: rejoin with the identity and state on disk, if any. */
  resume(): Promise<void> {
    return this.#serial(async () => {
      const state = await this.#stateFile.load();
      const identity = await this.#certs.load();
      if (!state || !identity) return;
      this.#state = state;
      this.#identity = identity;
      this.#scheduleRenewal();
      if (state.role === 'manager') await this.#startManager(false);
      this.#startSession();
    });
  }

  get manager(): Manager | null {
    return this.#manager;
  }

  /** The node's overlay data plane while it is in a swarm and runs tasks. */
  get dataplane(): Dataplane | null {
    return this.#tasks?.dataplane ?? null;
  }

  /** Runs an agent operation (e.g. attachContainer) for this node on the leader. */
  async agentCall(method: string, payload: Record<string, unknown>): Promise<unknown> {
    const state = this.#state;
    if (!state || !this.#identity) throw new ControlError('unavailable', notInSwarm);
    if (this.#manager) return this.#manager.call(method, { ...payload, nodeId: state.nodeId });
    const via = this.#session?.manager;
    if (!via) throw new ControlError('unavailable', 'the node has no session with a manager');
    return callAsAgent(via, this.#identity, method, payload);
  }

  get nodeId(): string | null {
    return this.#state?.nodeId ?? null;
  }

  init(req: InitRequest): Promise<string> {
    return this.#serial(async () => {
      if (req.ForceNewCluster && this.#state?.role === 'manager') return this.#forceNewCluster();
      if (this.#state) throw new ControlError('unavailable', alreadyInSwarm);
      const listen = parseListenAddr(req.ListenAddr ?? '');
      const advertise = chooseAdvertiseAddr(req.AdvertiseAddr ?? '', listen);
      const dataPathAddr = resolveDataPathAddr(req.DataPathAddr) || advertise.host;
      const clusterId = newId();
      const nodeId = newId();
      const ca = await createRootCa();
      const { keyPem, csrPem } = await createKeyAndCsr();
      const certPem = issueNodeCertificate({ ca, csrPem, nodeId, role: 'manager', clusterId, expiryMs: 90 * 24 * 3_600_000 });
      const identity: TlsIdentity = { rootCaPem: ca.certPem, certPem, keyPem };
      const managerAddr = formatHostPort(advertise);
      const actions = initialClusterActions(req, {
        clusterId,
        nodeId,
        ca,
        managerAddr,
        nodeAddr: advertise.host,
        description: { ...nodeDescription(this.#config.host, ca.certPem), DataPathAddr: dataPathAddr },
      });
      const state: SwarmState = {
        nodeId,
        clusterId,
        role: 'manager',
        listenAddr: formatHostPort(listen),
        advertiseAddr: advertise.host,
        dataPathAddr,
        managers: [{ nodeId, addr: managerAddr }],
        raftTicks: initialRaftTicks(req),
      };
      await this.#adopt(state, identity);
      try {
        await this.#startManager(true);
        await this.#awaitLeadership();
        await this.#manager!.commit(actions);
      } catch (err) {
        await this.#teardown(true);
        throw err;
      }
      this.#startSession();
      return nodeId;
    });
  }

  /**
   * Returns once a manager has accepted this node's session, as Docker's join does, so that the node
   * is Ready (and a new manager Reachable) in `node ls` right after; joining goes on in the background
   * when that takes longer than Docker's 20 s.
   */
  async join(req: JoinRequest): Promise<void> {
    const session = await this.#serial(async () => {
      if (this.#state) throw new ControlError('unavailable', alreadyInSwarm);
      const remote = req.RemoteAddrs?.[0];
      if (!remote) throw new ControlError('invalid-argument', 'at least 1 RemoteAddr is required to join');
      const remoteAddr = formatHostPort(parseListenAddr(remote));
      const listen = parseListenAddr(req.ListenAddr ?? '');
      const advertise = chooseAdvertiseAddr(req.AdvertiseAddr ?? '', listen);
      const dataPathAddr = resolveDataPathAddr(req.DataPathAddr) || advertise.host;
      const admission = await requestAdmission({
        remoteAddr,
        token: req.JoinToken ?? '',
        availability: req.Availability || 'active',
        hostname: this.#config.host.hostname,
        addr: advertise.host,
      });
      const state: SwarmState = {
        nodeId: admission.nodeId,
        clusterId: admission.clusterId,
        role: admission.role,
        listenAddr: formatHostPort(listen),
        advertiseAddr: advertise.host,
        dataPathAddr,
        managers: [{ nodeId: '', addr: remoteAddr }],
      };
      await this.#adopt(state, admission.identity);
      try {
        if (admission.role === 'manager') await this.#becomeManager(remoteAddr);
      } catch (err) {
        await this.#teardown(true);
        throw err;
      }
      return this.#startSession();
    });
    if (!(await session.established(JOIN_READY_WAIT_MS))) throw new ControlError('unavailable', joinStillGoing);
  }

  leave(force: boolean): Promise<void> {
    return this.#serial(async () => {
      const state = this.#state;
      if (!state) throw new ControlError('unavailable', notInSwarm);
      if (state.role === 'manager' && this.#manager) {
        if (!force) {
          const counts = (await this.#manager.call('managerCount', {}).catch(() => null)) as { members: number; reachable: number } | null;
          throw new ControlError('unavailable', leaveRefusal(counts));
        }
        await this.#leaveRaft().catch((err) => this.#config.log.warn('could not leave the raft group', { err: String(err) }));
      }
      await this.#teardown(true);
    });
  }

  /** Runs a control operation for the Engine API: managers only, with Docker's messages otherwise. */
  async call(method: string, payload: unknown): Promise<unknown> {
    if (!this.#state) throw new ControlError('unavailable', notManagerMessage);
    if (!this.#manager) throw new ControlError('unavailable', notManagerWorkerMessage);
    return this.#manager.call(method, payload);
  }

  /** Logs of services or tasks for the Engine API, gathered by the leader; managers only. */
  subscribeLogs(selector: LogSelector, sink: LogSink): () => void {
    if (!this.#state) throw new ControlError('unavailable', notManagerMessage);
    if (!this.#manager) throw new ControlError('unavailable', notManagerWorkerMessage);
    return this.#manager.subscribeLogs(selector, sink);
  }

  async swarmInfo(): Promise<SwarmInfo> {
    const state = this.#state;
    if (!state) {
      return { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: this.#error, RemoteManagers: null };
    }
    const remoteManagers = (this.#session?.managers ?? state.managers).filter((m) => m.nodeId !== '').map((m) => ({ NodeID: m.nodeId, Addr: m.addr }));
    const base = {
      NodeID: state.nodeId,
      NodeAddr: state.advertiseAddr,
      LocalNodeState: 'active' as const,
      ControlAvailable: this.#manager !== null,
      Error: this.#error,
      RemoteManagers: remoteManagers,
    };
    if (!this.#manager) return base;
    try {
      const nodes = (await this.#manager.call('listNodes', { filters: {} })) as { Spec: { Role: string } }[];
      const { JoinTokens: _tokens, ...cluster } = (await this.#manager.call('getSwarm', {})) as Record<string, unknown>;
      return { ...base, Nodes: nodes.length, Managers: nodes.filter((n) => n.Spec.Role === 'manager').length, Cluster: cluster };
    } catch (err) {
      return { ...base, Error: (err as Error).message };
    }
  }

  async stop(): Promise<void> {
    if (this.#renewal) clearTimeout(this.#renewal);
    await this.#serial(async () => {
      this.#session?.stop();
      this.#session = null;
      await this.#stopWorker(false);
      await this.#manager?.stop();
      this.#manager = null;
    });
  }

  #serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #adopt(state: SwarmState, identity: TlsIdentity): Promise<void> {
    await this.#certs.save(identity);
    await this.#stateFile.save(state);
    this.#state = state;
    this.#identity = identity;
    this.#scheduleRenewal();
  }

  /** Renews the certificate at a random point in the last 50–20% of its life, like swarmkit. */
  #scheduleRenewal(): void {
    if (this.#renewal) clearTimeout(this.#renewal);
    const identity = this.#identity;
    if (!identity) return;
    // setTimeout cannot wait longer than ~24.8 days; a long wait re-arms itself.
    const waitMs = Math.min(Math.max(renewalTimeMs(identity.certPem, Math.random) - Date.now(), 0), 2 ** 31 - 1);
    this.#renewal = setTimeout(() => {
      void this.#serial(() => this.#renew()).catch((err) => {
        this.#config.log.warn('certificate renewal failed; retrying in a minute', { err: String(err) });
        this.#renewal = setTimeout(() => this.#scheduleRenewal(), 60_000);
        this.#renewal.unref();
      });
    }, waitMs);
    this.#renewal.unref();
  }

  async #renew(): Promise<void> {
    const state = this.#state;
    if (!state || !this.#identity) return;
    if (Date.now() < renewalTimeMs(this.#identity.certPem, () => 0)) return this.#scheduleRenewal();
    const via = this.#session?.manager ?? this.#manager?.leaderAddr;
    if (!via) throw new ControlError('unavailable', 'no manager reachable to renew the certificate');
    const identity = await renewCertificate(via, this.#identity);
    await this.#adopt(state, identity);
    this.#manager?.replaceIdentity(identity);
    this.#config.log.info('certificate renewed', { notAfter: new Date(certificateNotAfter(identity.certPem)).toISOString() });
  }

  async #startManager(bootstrap: boolean, seeds: readonly ManagerAddr[] = []): Promise<void> {
    const state = this.#state!;
    const seedPeers = new Map<string, string>();
    for (const m of [...state.managers, ...seeds]) if (m.nodeId) seedPeers.set(m.nodeId, m.addr);
    this.#manager = await Manager.start({
      nodeId: state.nodeId,
      clusterId: state.clusterId,
      raftDir: this.#stateFile.raftDir,
      listenAddr: state.listenAddr,
      identity: () => this.#identity!,
      bootstrap,
      seedPeers,
      raftOptions: {
        tickMs: this.#config.raftTickMs,
        electionTicks: state.raftTicks?.election ?? defaultClusterSpec.Raft.ElectionTick,
        heartbeatTicks: state.raftTicks?.heartbeat ?? defaultClusterSpec.Raft.HeartbeatTick,
      },
      log: (level, msg, fields) => this.#config.log[level](msg, fields as Record<string, string>),
    });
    const manager = this.#manager;
    manager.store.subscribe(() => this.#noteRaftTicks(manager));
  }

  /** Raft timing from `swarm init/update` applies to a manager's Raft member from its next start. */
  #noteRaftTicks(manager: Manager): void {
    const raft = manager.store.list('cluster')[0]?.Spec.Raft;
    const state = this.#state;
    if (!raft || !state || this.#manager !== manager) return;
    if (state.raftTicks?.election === raft.ElectionTick && state.raftTicks.heartbeat === raft.HeartbeatTick) return;
    this.#state = { ...state, raftTicks: { election: raft.ElectionTick, heartbeat: raft.HeartbeatTick } };
    this.#stateFile.save(this.#state).catch((err) => this.#config.log.warn('could not save raft timing', { err: String(err) }));
  }

  /** A manager certificate in hand: start the Raft member, then ask the leader to add it. */
  async #becomeManager(viaAddr: string): Promise<void> {
    const state = this.#state!;
    const advertise = formatHostPort({ host: state.advertiseAddr, port: parseListenAddr(state.listenAddr).port });
    await this.#startManager(false);
    const joined = await joinRaft(viaAddr, this.#identity!, state.nodeId, advertise);
    const managers = joined.members.map((m) => ({ nodeId: m.nodeId, addr: m.addr }));
    for (const m of managers) this.#manager!.addSeed(m.nodeId, m.addr);
    await this.#stateFile.save({ ...state, role: 'manager', managers });
    this.#state = { ...state, role: 'manager', managers };
  }

  async #leaveRaft(): Promise<void> {
    const manager = this.#manager!;
    const leader = manager.leaderAddr;
    if (!leader) throw new ControlError('unavailable', 'no leader to leave through');
    await leaveRaft(leader, this.#identity!, this.#state!.nodeId);
  }

  async #awaitLeadership(): Promise<void> {
    const until = Date.now() + LEADERSHIP_WAIT_MS;
    while (this.#manager!.raft.leaderId !== this.#state!.nodeId) {
      if (Date.now() > until) throw new ControlError('unavailable', 'this manager did not become leader of its new cluster');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async #forceNewCluster(): Promise<string> {
    const state = this.#state!;
    await this.#manager?.stop();
    this.#manager = null;
    await forceNewCluster(this.#stateFile.raftDir, state.nodeId);
    const self = state.managers.find((m) => m.nodeId === state.nodeId);
    await this.#stateFile.save({ ...state, managers: self ? [self] : [] });
    this.#state = { ...state, managers: self ? [self] : [] };
    await this.#startManager(false);
    await this.#awaitLeadership();
    return state.nodeId;
  }

  /**
   * One credentials object per identity: grpc-js lets channels share a connection only when their
   * credentials are the same object, so the session, the worker's link and the log publisher reach a
   * manager over one TLS connection instead of three (each costs the manager ~100 KB and a handshake).
   */
  #agentCredentials(): grpc.ChannelCredentials {
    const identity = this.#identity!;
    if (this.#credentialsOf?.identity !== identity) this.#credentialsOf = { identity, credentials: clientCredentials(identity) };
    return this.#credentialsOf.credentials;
  }

  #startSession(): AgentSession {
    const state = this.#state!;
    this.#session?.stop();
    const managers = this.#manager ? [{ nodeId: state.nodeId, addr: formatHostPort({ host: state.advertiseAddr, port: parseListenAddr(state.listenAddr).port }) }, ...state.managers] : state.managers;
    this.#session = new AgentSession({
      nodeId: state.nodeId,
      // DataPathAddr travels with the description: the managers give it to other nodes as this node's VTEP.
      description: () => ({ ...nodeDescription(this.#config.host, this.#identity!.rootCaPem), Addr: state.advertiseAddr, DataPathAddr: state.dataPathAddr }),
      managers,
      credentials: () => this.#agentCredentials(),
      channelOptions: channelOptions(),
      onMessage: (m) => this.#onSessionMessage(m),
      log: (level, msg, fields) => this.#config.log[level](msg, { component: 'agent', ...(fields as Record<string, string>) }),
    });
    this.#session.start();
    this.#startWorker();
    return this.#session;
  }

  #startWorker(): void {
    const runtime = this.#config.runtime;
    if (this.#tasks || !runtime) return;
    const log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) =>
      this.#config.log[level](msg, { component: 'worker', ...(fields as Record<string, string>) });
    const link: DispatcherLink = new DispatcherLink({
      credentials: () => this.#agentCredentials(),
      channelOptions: channelOptions(),
      onAssignments: (kind, changes) => worker.apply(kind, changes),
      log,
    });
    const netnsDir = join(this.#config.dataRoot, 'netns');
    const dataPathAddr = this.#state!.dataPathAddr;
    const dataplane = new Dataplane({
      driver: (dataPathPort) => new OverlayDriver({ netnsDir, dataPathAddr, ...(dataPathPort ? { dataPathPort } : {}) }),
      log,
      ...(this.#config.liveContainers ? { liveContainers: this.#config.liveContainers } : {}),
    });
    const images = this.#config.taskImages;
    const worker = new Worker({ runtime, report: (id, status) => link.report(id, status), networking: dataplane, log, ...(images ? { images } : {}) });
    const logs = new LogPublisher({ runtime, credentials: () => this.#agentCredentials(), channelOptions: channelOptions(), log });
    this.#tasks = { worker, link, logs, dataplane };
  }

  /** Stops the executor; on leave also removes every task container (the node runs no tasks any more). */
  async #stopWorker(forget: boolean): Promise<void> {
    const tasks = this.#tasks;
    this.#tasks = null;
    if (!tasks) return;
    tasks.link.stop();
    tasks.logs.stop();
    if (forget) await tasks.worker.apply('full', { tasks: [], removed: [], serviceNames: {} });
    tasks.worker.stop();
    await tasks.dataplane.close();
  }

  #onSessionMessage(message: SessionMessage): void {
    const state = this.#state;
    if (!state) return;
    const manager = this.#session?.manager;
    if (manager) this.#tasks?.link.setSession(message.sessionId, manager);
    if (manager) this.#tasks?.logs.setManager(manager);
    this.#tasks?.dataplane.setNetworkKeys(message.networkBootstrapKeys).catch((err) => this.#config.log.warn('re-keying encrypted overlays failed', { err: String(err) }));
    const managers = message.managers.map((m) => ({ nodeId: m.nodeId, addr: m.addr }));
    if (managers.length > 0 && JSON.stringify(managers) !== JSON.stringify(state.managers)) {
      this.#state = { ...state, managers };
      this.#stateFile.save(this.#state).catch((err) => this.#config.log.warn('could not save managers', { err: String(err) }));
    }
    const desired = message.desiredRole;
    if ((desired === 'manager' || desired === 'worker') && desired !== state.role) {
      const via = this.#session?.manager;
      if (via) void this.#serial(() => this.#switchRole(desired, via)).catch((err) => {
        this.#config.log.error('role change failed', { to: desired, err: String(err) });
      });
    }
  }

  async #switchRole(role: 'manager' | 'worker', via: string): Promise<void> {
    const state = this.#state;
    if (!state || state.role === role) return;
    this.#config.log.info('changing role', { from: state.role, to: role });
    const identity = await renewCertificate(via, this.#identity!);
    await this.#adopt({ ...state, role }, identity);
    this.#manager?.replaceIdentity(identity);
    if (role === 'manager') {
      await this.#becomeManager(via);
    } else {
      await this.#manager?.stop();
      this.#manager = null;
      await this.#stateFile.removeRaft();
    }
    this.#startSession();
  }

  /** Stops everything; with `forget`, also erases the swarm state (leave). */
  async #teardown(forget: boolean): Promise<void> {
    if (this.#renewal) clearTimeout(this.#renewal);
    this.#renewal = null;
    this.#session?.stop();
    this.#session = null;
    await this.#stopWorker(forget);
    await this.#manager?.stop();
    this.#manager = null;
    if (forget) {
      await this.#stateFile.remove();
      this.#state = null;
      this.#identity = null;
    }
  }
}
