// DNS over UDP and TCP on sockets someone else bound: the server's own listener on the gateway bridge,
// or sockets bound inside a sandbox and handed over (sandbox-listener.ts). Each query goes to
// `handle` with the asker's address; a reply of undefined drops the query.
import type { Socket as UdpSocket } from 'node:dgram';
import type { Server, Socket } from 'node:net';

export type Transport = 'udp' | 'tcp';

/** Never rejects: a failure must come back as a reply (or undefined), not as an error. */
export type QueryHandler = (raw: Buffer, source: string, transport: Transport) => Promise<Buffer | undefined>;

export interface Listener {
  /** Stops both sockets; idempotent. */
  close(): Promise<void>;
}

export function serveUdp(udp: UdpSocket, handle: QueryHandler): void {
  let open = true;
  udp.on('close', () => (open = false));
  // A reply that cannot be sent is lost like any UDP datagram (the asker retries); it must not crash us.
  udp.on('error', () => undefined);
  udp.on('message', (msg, rinfo) => {
    void handle(msg, rinfo.address, 'udp').then((reply) => {
      if (reply !== undefined && open) udp.send(reply, rinfo.port, rinfo.address);
    });
  });
}

export function serveTcp(tcp: Server, handle: QueryHandler, idleTimeoutMs: number): void {
  tcp.on('error', () => undefined); // e.g. EMFILE on accept: that client is dropped, the listener stays
  tcp.on('connection', (socket) => serveConnection(socket, handle, idleTimeoutMs));
}

function serveConnection(socket: Socket, handle: QueryHandler, idleTimeoutMs: number): void {
  let pending = Buffer.alloc(0);
  let chain = Promise.resolve();
  socket.setTimeout(idleTimeoutMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (b: Buffer) => {
    pending = Buffer.concat([pending, b]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const query = pending.subarray(2, 2 + pending.readUInt16BE(0));
      pending = pending.subarray(2 + query.length);
      // Answers go back in the order the questions came.
      chain = chain.then(async () => {
        const reply = await handle(query, socket.remoteAddress ?? '', 'tcp');
        if (reply === undefined) return void socket.destroy();
        const frame = Buffer.alloc(2);
        frame.writeUInt16BE(reply.length, 0);
        if (!socket.destroyed) socket.write(Buffer.concat([frame, reply]));
      });
    }
  });
}

/** A UDP socket and a TCP server that stop together. */
export function listenerOf(udp: UdpSocket, tcp: Server): Listener {
  let closing: Promise<void> | undefined;
  return {
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          try {
            udp.close(() => resolve());
          } catch {
            resolve(); // already closed
          }
        });
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
      })()),
  };
}
