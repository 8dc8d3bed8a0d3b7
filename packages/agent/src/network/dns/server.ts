// The embedded DNS server: one UDP and one TCP listener on the node's gateway-bridge address. Every
// sandbox's 127.0.0.11:53 is DNATed here (see sandbox-dns.ts), masqueraded to the sandbox's own
// gateway-bridge address, which is how the server knows who asks and so which networks' names it may
// answer with.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { decide } from './answer.js';
import { decodeMessage, DnsFormatError, encodeResponse, RCODE, udpLimitBytes, type Message } from './codec.js';
import type { Resolver } from './directory.js';
import { Forwarder, type Upstream } from './forwarder.js';
import { upstreamsFromResolvConf } from './resolv-conf.js';
import { assertIPv4 } from '../lb/addresses.js';

export interface EmbeddedDnsOptions {
  /** The node's gateway-bridge address (e.g. 172.18.0.1). */
  readonly listenAddress: string;
  /** Default 53. */
  readonly port?: number;
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
  private closed = false;

  private constructor(
    private readonly options: EmbeddedDnsOptions,
    private readonly udp: UdpSocket,
    private readonly tcp: Server,
  ) {
    this.forwarder = new Forwarder(options.upstreams ?? hostUpstreams(), {
      timeoutMs: options.forwardTimeoutMs ?? 4000,
      maxInFlight: options.maxForwardsInFlight ?? 1024,
    });
    this.ttlSeconds = options.ttlSeconds ?? 600;
  }

  /** Binds both listeners; rejects (with the bind error) if either cannot bind. */
  static async start(options: EmbeddedDnsOptions): Promise<EmbeddedDnsServer> {
    assertIPv4(options.listenAddress, 'DNS listen address');
    const port = options.port ?? 53;
    const udp = createSocket('udp4');
    const tcp = createServer();
    const server = new EmbeddedDnsServer(options, udp, tcp);
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, options.listenAddress, () => resolve());
      });
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, options.listenAddress, () => resolve());
      });
    } catch (e) {
      await server.close();
      throw e;
    }
    udp.on('message', (msg, rinfo) => void server.onUdp(msg, rinfo.address, rinfo.port));
    tcp.on('connection', (socket) => server.onTcp(socket));
    return server;
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      try {
        this.udp.close(() => resolve());
      } catch {
        resolve();
      }
    });
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }

  private async onUdp(msg: Buffer, address: string, port: number): Promise<void> {
    const reply = await this.handle(msg, address, 'udp');
    if (reply !== undefined && !this.closed) this.udp.send(reply, port, address);
  }

  private onTcp(socket: Socket): void {
    let pending = Buffer.alloc(0);
    let chain = Promise.resolve();
    socket.setTimeout(this.options.tcpIdleTimeoutMs ?? 10_000, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (b: Buffer) => {
      pending = Buffer.concat([pending, b]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const query = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + query.length);
        // Answers go back in the order the questions came.
        chain = chain.then(async () => {
          const reply = await this.handle(query, socket.remoteAddress ?? '', 'tcp');
          if (reply === undefined) return void socket.destroy();
          const frame = Buffer.alloc(2);
          frame.writeUInt16BE(reply.length, 0);
          if (!socket.destroyed) socket.write(Buffer.concat([frame, reply]));
        });
      }
    });
  }

  /** The reply to one query, or undefined to drop it; never rejects (a bad record must not stop the server). */
  private async handle(raw: Buffer, source: string, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    try {
      return await this.reply(raw, source, transport);
    } catch {
      return raw.length >= 12 ? encodeResponse({ id: raw.readUInt16BE(0), recursionDesired: false, rcode: RCODE.SERVFAIL }) : undefined;
    }
  }

  private async reply(raw: Buffer, source: string, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
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
    const asker = this.options.resolver.askerFor(source.replace(/^::ffff:/, ''));
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
