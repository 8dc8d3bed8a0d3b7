// Raft messages over TCP for the benchmark: length-prefixed frames of a small JSON header followed by
// the raw bytes of entry (or snapshot chunk) payloads, so payloads are never base64'd or copied twice.
import net from 'node:net';

export function encodeMessage(msg) {
  const blobs = [];
  const header = { ...msg };
  if (msg.type === 'append') {
    header.entries = msg.entries.map((e) => {
      blobs.push(e.data);
      return { term: e.term, index: e.index, type: e.type, n: e.data.byteLength };
    });
  } else if (msg.type === 'snapshot') {
    blobs.push(msg.data);
    header.data = msg.data.byteLength;
  }
  const head = Buffer.from(JSON.stringify(header));
  const blobBytes = blobs.reduce((n, b) => n + b.byteLength, 0);
  const frame = Buffer.allocUnsafe(8 + head.length + blobBytes);
  frame.writeUInt32BE(frame.length - 4, 0);
  frame.writeUInt32BE(head.length, 4);
  head.copy(frame, 8);
  let at = 8 + head.length;
  for (const b of blobs) {
    frame.set(b, at);
    at += b.byteLength;
  }
  return frame;
}

function decodeMessage(body) {
  const headLen = body.readUInt32BE(0);
  const msg = JSON.parse(body.toString('utf8', 4, 4 + headLen));
  let at = 4 + headLen;
  const take = (n) => {
    const out = new Uint8Array(body.buffer, body.byteOffset + at, n);
    at += n;
    return out;
  };
  if (msg.type === 'append') msg.entries = msg.entries.map((e) => ({ term: e.term, index: e.index, type: e.type, data: take(e.n) }));
  else if (msg.type === 'snapshot') msg.data = take(msg.data);
  return msg;
}

/** Splits a byte stream into frames and hands each decoded message to `onMessage`. */
export function readFrames(socket, onMessage) {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (pending.length - at >= 4) {
      const len = pending.readUInt32BE(at);
      if (pending.length - at - 4 < len) break;
      // Copy the frame so decoded payloads do not pin the whole read buffer.
      onMessage(decodeMessage(Buffer.from(pending.subarray(at + 4, at + 4 + len))));
      at += 4 + len;
    }
    pending = at === pending.length ? Buffer.alloc(0) : pending.subarray(at);
  });
}

/** One outgoing connection per peer, re-dialled on failure; messages to a peer that is down are dropped. */
export class TcpTransport {
  constructor(peers) {
    this.peers = peers; // id -> port
    this.sockets = new Map();
    this.closed = false;
  }

  send(messages) {
    const byPeer = new Map();
    for (const m of messages) {
      const list = byPeer.get(m.to) ?? [];
      list.push(encodeMessage(m));
      byPeer.set(m.to, list);
    }
    for (const [to, frames] of byPeer) {
      const socket = this.connection(to);
      if (socket === null || !socket.ready) continue;
      socket.cork();
      for (const f of frames) socket.write(f);
      socket.uncork();
    }
  }

  connection(to) {
    if (this.closed) return null;
    const existing = this.sockets.get(to);
    if (existing) return existing;
    const port = this.peers.get(to);
    if (port === undefined) return null;
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    socket.ready = false;
    socket.on('connect', () => (socket.ready = true));
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.sockets.get(to) === socket) setTimeout(() => this.sockets.delete(to), 100).unref();
    });
    this.sockets.set(to, socket);
    return socket;
  }

  close() {
    this.closed = true;
    for (const s of this.sockets.values()) s.destroy();
  }
}
