// Relaying questions the embedded resolver does not own to the host's resolvers, as raw bytes: each
// relayed query leaves from a fresh socket with a fresh random ID (so an off-path host cannot guess
// either), and the reply goes back with the asker's ID restored.
import { createSocket } from 'node:dgram';
import { connect, isIP } from 'node:net';
import { randomInt } from 'node:crypto';
import { NetworkSpecError } from '../lb/addresses.js';

export interface Upstream {
  readonly host: string;
  readonly port: number;
}

/** "1.2.3.4" or "1.2.3.4:5353". */
export function parseUpstream(text: string): Upstream {
  const m = /^([0-9.]+)(?::(\d+))?$/.exec(text.trim());
  const port = m?.[2] === undefined ? 53 : Number(m[2]);
  if (!m || isIP(m[1]!) !== 4 || port < 1 || port > 65535) throw new NetworkSpecError(`bad upstream resolver "${text}"`);
  return { host: m[1]!, port };
}

export interface ForwarderOptions {
  /** Per upstream attempt; Docker's resolver uses 4 s. */
  readonly timeoutMs: number;
  /** Queries relayed at once; more are answered SERVFAIL at once (Docker's limit is 1,024). */
  readonly maxInFlight: number;
}

function withId(message: Buffer, id: number): Buffer {
  const copy = Buffer.from(message);
  copy.writeUInt16BE(id, 0);
  return copy;
}

function askUdp(upstream: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const id = query.readUInt16BE(0);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('message', (msg, rinfo) => {
      if (rinfo.address === upstream.host && msg.length >= 12 && msg.readUInt16BE(0) === id) finish(msg);
    });
    socket.on('error', () => finish(undefined));
    socket.send(query, upstream.port, upstream.host);
    function finish(reply: Buffer | undefined): void {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    }
  });
}

function askTcp(upstream: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: upstream.host, port: upstream.port });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const frame = Buffer.alloc(2);
    frame.writeUInt16BE(query.length, 0);
    socket.on('connect', () => socket.write(Buffer.concat([frame, query])));
    socket.on('data', (b: Buffer) => {
      received = Buffer.concat([received, b]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        finish(received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    function finish(reply: Buffer | undefined): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    }
  });
}

export class Forwarder {
  private inFlight = 0;

  constructor(
    readonly upstreams: readonly Upstream[],
    private readonly options: ForwarderOptions,
  ) {}

  /** The upstream's reply with the asker's ID, or undefined when none answered (→ SERVFAIL). */
  async forward(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    if (this.inFlight >= this.options.maxInFlight) return undefined;
    this.inFlight++;
    try {
      const askerId = query.readUInt16BE(0);
      for (const upstream of this.upstreams) {
        const relayed = withId(query, randomInt(0, 0x10000));
        const ask = transport === 'udp' ? askUdp : askTcp;
        const reply = await ask(upstream, relayed, this.options.timeoutMs);
        if (reply !== undefined) return withId(reply, askerId);
      }
      return undefined;
    } finally {
      this.inFlight--;
    }
  }
}
