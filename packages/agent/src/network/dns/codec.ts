// A small DNS message codec (RFC 1035, AAAA from RFC 3596): enough for an embedded resolver that
// answers A/AAAA/PTR itself and relays everything else as raw bytes. Written here rather than taken
// from npm because the server only needs the header, the question and three record types, and
// relayed answers are never re-encoded.
import { isIP } from 'node:net';

export const RR_TYPE = { A: 1, PTR: 12, AAAA: 28, OPT: 41 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export const CLASS_IN = 1;
/** Without EDNS a UDP answer may not exceed this (RFC 1035 §4.2.1). */
export const UDP_PLAIN_LIMIT_BYTES = 512;

export class DnsFormatError extends Error {
  readonly code = 'dns-format';
  constructor(message: string) {
    super(message);
    this.name = 'DnsFormatError';
  }
}

export interface Question {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface ResourceRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  /** Decoded for A/AAAA (address) and PTR (name); otherwise undefined and `rdata` holds the bytes. */
  readonly data: string | undefined;
  readonly rdata: Buffer;
}

export interface Message {
  readonly id: number;
  readonly response: boolean;
  readonly opcode: number;
  readonly authoritative: boolean;
  readonly truncated: boolean;
  readonly recursionDesired: boolean;
  readonly recursionAvailable: boolean;
  readonly rcode: number;
  readonly questions: readonly Question[];
  readonly answers: readonly ResourceRecord[];
  readonly additionals: readonly ResourceRecord[];
}

export type Answer =
  | { readonly type: 'A' | 'AAAA'; readonly name: string; readonly ttl: number; readonly address: string }
  | { readonly type: 'PTR'; readonly name: string; readonly ttl: number; readonly target: string };

export interface ResponseSpec {
  readonly id: number;
  readonly opcode?: number;
  readonly recursionDesired: boolean;
  readonly rcode: number;
  readonly question?: Question;
  readonly answers?: readonly Answer[];
  readonly authoritative?: boolean;
  readonly truncated?: boolean;
}

const MAX_POINTER_JUMPS = 16;

function readName(buf: Buffer, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let offset = start;
  let next = -1;
  let length = 0;
  for (let jumps = 0; ; ) {
    if (offset >= buf.length) throw new DnsFormatError('name runs past the end of the message');
    const len = buf[offset]!;
    if (len === 0) {
      if (next < 0) next = offset + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (offset + 1 >= buf.length) throw new DnsFormatError('truncated name pointer');
      if (++jumps > MAX_POINTER_JUMPS) throw new DnsFormatError('name pointer loop');
      if (next < 0) next = offset + 2;
      offset = ((len & 0x3f) << 8) | buf[offset + 1]!;
      continue;
    }
    if (len > 63) throw new DnsFormatError(`bad label length ${len}`);
    if (offset + 1 + len > buf.length) throw new DnsFormatError('label runs past the end of the message');
    labels.push(buf.toString('latin1', offset + 1, offset + 1 + len));
    length += len + 1;
    if (length > 255) throw new DnsFormatError('name longer than 255 bytes');
    offset += 1 + len;
  }
  return { name: labels.join('.'), next };
}

function encodeName(name: string): Buffer {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = trimmed === '' ? [] : trimmed.split('.');
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'latin1');
    if (bytes.length === 0 || bytes.length > 63) throw new DnsFormatError(`bad label "${label}" in "${name}"`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  if (out.length > 255) throw new DnsFormatError(`name "${name}" longer than 255 bytes`);
  return out;
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function ipv6Text(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}

function readRecord(buf: Buffer, offset: number): { rr: ResourceRecord; next: number } {
  const { name, next: afterName } = readName(buf, offset);
  if (afterName + 10 > buf.length) throw new DnsFormatError('truncated resource record');
  const type = buf.readUInt16BE(afterName);
  const klass = buf.readUInt16BE(afterName + 2);
  const ttl = buf.readUInt32BE(afterName + 4);
  const rdlength = buf.readUInt16BE(afterName + 8);
  const start = afterName + 10;
  if (start + rdlength > buf.length) throw new DnsFormatError('truncated record data');
  const rdata = buf.subarray(start, start + rdlength);
  let data: string | undefined;
  if (type === RR_TYPE.A && rdlength === 4) data = [...rdata].join('.');
  else if (type === RR_TYPE.AAAA && rdlength === 16) data = ipv6Text(rdata);
  else if (type === RR_TYPE.PTR) data = readName(buf, start).name;
  return { rr: { name, type, class: klass, ttl, data, rdata }, next: start + rdlength };
}

/** Decodes a whole message; authority records are skipped. Throws DnsFormatError on malformed input. */
export function decodeMessage(buf: Buffer): Message {
  if (buf.length < 12) throw new DnsFormatError('message shorter than a header');
  const flags = buf.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map((o) => buf.readUInt16BE(o));
  let offset = 12;
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]!; i++) {
    const { name, next } = readName(buf, offset);
    if (next + 4 > buf.length) throw new DnsFormatError('truncated question');
    questions.push({ name, type: buf.readUInt16BE(next), class: buf.readUInt16BE(next + 2) });
    offset = next + 4;
  }
  const sections: ResourceRecord[][] = [[], [], []];
  for (const [s, count] of [counts[1]!, counts[2]!, counts[3]!].entries()) {
    for (let i = 0; i < count; i++) {
      const { rr, next } = readRecord(buf, offset);
      sections[s]!.push(rr);
      offset = next;
    }
  }
  return {
    id: buf.readUInt16BE(0),
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    recursionDesired: (flags & 0x0100) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    questions,
    answers: sections[0]!,
    additionals: sections[2]!,
  };
}

function encodeAnswer(answer: Answer): Buffer {
  let type: number;
  let rdata: Buffer;
  if (answer.type === 'PTR') {
    type = RR_TYPE.PTR;
    rdata = encodeName(answer.target);
  } else if (answer.type === 'A') {
    if (isIP(answer.address) !== 4) throw new DnsFormatError(`"${answer.address}" is not an IPv4 address`);
    type = RR_TYPE.A;
    rdata = Buffer.from(answer.address.split('.').map(Number));
  } else {
    if (isIP(answer.address) !== 6) throw new DnsFormatError(`"${answer.address}" is not an IPv6 address`);
    type = RR_TYPE.AAAA;
    rdata = ipv6Bytes(answer.address);
  }
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(answer.ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(answer.name), fixed, rdata]);
}

export function encodeResponse(spec: ResponseSpec): Buffer {
  const header = Buffer.alloc(12);
  const answers = spec.answers ?? [];
  header.writeUInt16BE(spec.id, 0);
  const flags =
    0x8000 |
    ((spec.opcode ?? 0) << 11) |
    (spec.authoritative ? 0x0400 : 0) |
    (spec.truncated ? 0x0200 : 0) |
    (spec.recursionDesired ? 0x0100 : 0) |
    0x0080 |
    (spec.rcode & 0xf);
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(spec.question ? 1 : 0, 4);
  header.writeUInt16BE(answers.length, 6);
  const parts: Buffer[] = [header];
  if (spec.question) {
    const qfixed = Buffer.alloc(4);
    qfixed.writeUInt16BE(spec.question.type, 0);
    qfixed.writeUInt16BE(spec.question.class, 2);
    parts.push(encodeName(spec.question.name), qfixed);
  }
  for (const a of answers) parts.push(encodeAnswer(a));
  return Buffer.concat(parts);
}

/** A query message (used by the forwarder's tests and the test client). */
export function encodeQuery(id: number, name: string, type: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  const qfixed = Buffer.alloc(4);
  qfixed.writeUInt16BE(type, 0);
  qfixed.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, encodeName(name), qfixed]);
}

/** The largest UDP answer the asker accepts: its EDNS payload size if it sent one, else 512. */
export function udpLimitBytes(query: Message): number {
  const opt = query.additionals.find((rr) => rr.type === RR_TYPE.OPT);
  return opt ? Math.min(Math.max(opt.class, UDP_PLAIN_LIMIT_BYTES), 4096) : UDP_PLAIN_LIMIT_BYTES;
}
