// The embedded DNS server. It answers on two kinds of listeners:
// - one UDP and one TCP listener on the node's gateway-bridge address. Every sandbox with a gateway
//   leg has its 127.0.0.11:53 DNATed there (see sandbox-dns.ts), masqueraded to the sandbox's own
//   gateway-bridge address, which is how the server knows who asks and so which networks' names it
//   may answer with;
// - sockets bound at 127.0.0.11:53 inside a sandbox that has no gateway leg (internal networks only,
//   see sandbox-listener.ts): whoever reaches them is that sandbox, so they answer for it alone.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { decide } from './answer.js';
import { decodeMessage, DnsFormatError, encodeResponse, RCODE, udpLimitBytes, type Message } from './codec.js';
import type { Asker, Resolver } from './directory.js';
import { Forwarder, type Upstream } from './forwarder.js';
import { upstreamsFromResolvConf } from './resolv-conf.js';
import { listenerOf, serveTcp, serveUdp, type Listener, type Transport } from './transport.js';
import type { SandboxSockets } from './sandbox-listener.js';
import { assertIPv4 } from '../lb/addresses.js';
import { NetworkError } from '../errors.js';

export interface EmbeddedDnsOptions {
  readonly resolver: Resolver;
  /** Outside resolvers; default: the nameservers of the host's /etc/resolv.conf. */
  readonly upstreams?: readonly Upstream[];
  /** Default 600 (Docker's TTL for its own answers). */
  readonly ttlSeconds?: number;
  /** Default 4000 per upstream attempt. */
  readonly forwardTimeoutMs?: number;
  /** Default 1024 relayed queries at once. */
  readonly maxForwardsInFlight?: number;
  /** Default 10 000: an idle TCP client is disconnected after it. */
  readonly tcpIdleTimeoutMs?: number;
}

export interface GatewayListenOptions extends EmbeddedDnsOptions {
  /** The node's gateway-bridge address (e.g. 172.18.0.1). */
  readonly listenAddress: string;
  /** Default 53. */
  readonly port?: number;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function hostUpstreams(): Upstream[] {
  try {
    return upstreamsFromResolvConf(readFileSync('/etc/resolv.conf', 'utf8'));
  } catch {
    return [];
  }
}

export class EmbeddedDnsServer {
  private readonly forwarder: Forwarder;
  private readonly ttlSeconds: number;
  private readonly tcpIdleTimeoutMs: number;
  private readonly listeners = new Set<Listener>();
  private gateway: Promise<void> | undefined;
  private closed = false;

  /** A server with no listener yet: add them with listenOnGateway and serveSandbox. */
  constructor(private readonly options: EmbeddedDnsOptions) {
    this.forwarder = new Forwarder(options.upstreams ?? hostUpstreams(), {
      timeoutMs: options.forwardTimeoutMs ?? 4000,
      maxInFlight: options.maxForwardsInFlight ?? 1024,
    });
    this.ttlSeconds = options.ttlSeconds ?? 600;
    this.tcpIdleTimeoutMs = options.tcpIdleTimeoutMs ?? 10_000;
  }

  /** A server listening on the gateway-bridge address; rejects (with the bind error) if it cannot bind. */
  static async start(options: GatewayListenOptions): Promise<EmbeddedDnsServer> {
    const server = new EmbeddedDnsServer(options);
    await server.listenOnGateway(options.listenAddress, options.port);
    return server;
  }

  /**
   * Binds the gateway-bridge listener (UDP and TCP) once; askers are told apart by source address.
   * A failed bind may be retried by calling again.
   */
  listenOnGateway(address: string, port = 53): Promise<void> {
    assertIPv4(address, 'DNS listen address');
    const attempt = (this.gateway ??= this.bindGateway(address, port));
    attempt.catch(() => {
      if (this.gateway === attempt) this.gateway = undefined;
    });
    return attempt;
  }

  private async bindGateway(address: string, port: number): Promise<void> {
    if (this.closed) throw new NetworkError('conflict', 'the embedded DNS server is closed');
    const udp = createSocket('udp4');
    const tcp = createServer();
    const listener = listenerOf(udp, tcp);
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, address, () => resolve());
      });
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, address, () => resolve());
      });
    } catch (e) {
      await listener.close();
      throw e;
    }
    const handle = (raw: Buffer, source: string, transport: Transport) =>
      this.handle(raw, this.options.resolver.askerFor(source.replace(/^::ffff:/, '')), transport);
    serveUdp(udp, handle);
    serveTcp(tcp, handle, this.tcpIdleTimeoutMs);
    this.listeners.add(listener);
  }

  /**
   * Answers on sockets bound inside one sandbox, for that sandbox only: `asker` is read per query, so
   * it follows the sandbox's networks. Returns the disposer that closes the sockets (idempotent).
   */
  serveSandbox(sockets: SandboxSockets, asker: () => Asker | undefined): () => Promise<void> {
    const listener = listenerOf(sockets.udp, sockets.tcp);
    if (this.closed) {
      void listener.close();
      return () => listener.close();
    }
    const handle = (raw: Buffer, _source: string, transport: Transport) => this.handle(raw, asker(), transport);
    serveUdp(sockets.udp, handle);
    serveTcp(sockets.tcp, handle, this.tcpIdleTimeoutMs);
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
      await listener.close();
    };
  }

  /** Closes every listener; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.gateway?.catch(() => undefined);
    const all = [...this.listeners];
    this.listeners.clear();
    await Promise.all(all.map((l) => l.close()));
  }

  /** The reply to one query, or undefined to drop it; never rejects (a bad record must not stop the server). */
  private async handle(raw: Buffer, asker: Asker | undefined, transport: Transport): Promise<Buffer | undefined> {
    try {
      return await this.reply(raw, asker, transport);
    } catch {
      return raw.length >= 12 ? encodeResponse({ id: raw.readUInt16BE(0), recursionDesired: false, rcode: RCODE.SERVFAIL }) : undefined;
    }
  }

  private async reply(raw: Buffer, asker: Asker | undefined, transport: Transport): Promise<Buffer | undefined> {
    let query: Message;
    try {
      query = decodeMessage(raw);
    } catch (e) {
      if (!(e instanceof DnsFormatError) || raw.length < 12) return undefined;
      return encodeResponse({ id: raw.readUInt16BE(0), recursionDesired: false, rcode: RCODE.FORMERR });
    }
    if (query.response) return undefined;
    const base = { id: query.id, opcode: query.opcode, recursionDesired: query.recursionDesired };
    if (query.opcode !== 0) return encodeResponse({ ...base, rcode: RCODE.NOTIMP });
    const question = query.questions[0];
    if (question === undefined || query.questions.length > 1) return encodeResponse({ ...base, rcode: RCODE.FORMERR });
    if (asker === undefined) return encodeResponse({ ...base, question, rcode: RCODE.REFUSED });
    const decision = decide(this.options.resolver, asker, question, {
      ttlSeconds: this.ttlSeconds,
      canForward: this.forwarder.upstreams.length > 0,
      shuffle,
    });
    if (decision.kind === 'forward') {
      const relayed = await this.forwarder.forward(raw, transport);
      return relayed ?? encodeResponse({ ...base, question, rcode: RCODE.SERVFAIL });
    }
    const reply = encodeResponse({ ...base, question, rcode: decision.rcode, answers: decision.answers });
    if (transport === 'udp' && reply.length > udpLimitBytes(query)) {
      return encodeResponse({ ...base, question, rcode: decision.rcode, truncated: true });
    }
    return reply;
  }
}
