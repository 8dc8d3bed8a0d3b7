// What the kernel's XFRM tables must hold for encrypted overlays, and the `ip xfrm` commands that get
// them there, as data (no I/O). Per remote host: ESP transport-mode SAs in (one per key, remote →
// local) and out (primary key only, local → remote), and one outbound policy that sends the VXLAN UDP
// traffic (destination port = the data-path port) from the local to the remote address through the
// primary key's SA. With such a policy and no usable SA the kernel drops the packets: the policy is
// what keeps the traffic from ever leaving in clear, so it comes first and goes last.
import { buildSpi, type IpsecKeys, type SaKey } from './keys.js';

/** Docker's reqid (and mark) for the overlay's SAs: how they are told apart from other IPsec users. */
export const REQID = 0xd0c4e3;
/** ESP with AES-GCM, 16-byte key + 4-byte salt, and a 64-bit ICV (libnetwork buildAeadAlgo). */
const AEAD = 'rfc4106(gcm(aes))';
const ICV_BITS = '64';

export interface SaSpec {
  readonly src: string;
  readonly dst: string;
  readonly spi: number;
  /** Hex of key and salt, absent for SAs read back from the kernel (which does not show it unless asked). */
  readonly keyHex?: string;
}

export interface PolicySpec {
  readonly local: string;
  readonly remote: string;
  readonly port: number;
  /** The SPI of the outbound SA the template names. */
  readonly spi: number;
}

export interface XfrmTable {
  /** By saId(). */
  readonly states: ReadonlyMap<string, SaSpec>;
  /** By policyId(): the selector, which identifies a policy in the kernel. */
  readonly policies: ReadonlyMap<string, PolicySpec>;
}

export const EMPTY_XFRM: XfrmTable = { states: new Map(), policies: new Map() };

export function saId(sa: { readonly src: string; readonly dst: string; readonly spi: number }): string {
  return `${sa.src}>${sa.dst}/${hex(sa.spi)}`;
}

export function policyId(p: { readonly local: string; readonly remote: string; readonly port: number }): string {
  return `${p.local}>${p.remote}:${p.port}`;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** Docker's salt is the SPI itself, big-endian, after the key. */
function sa(src: string, dst: string, key: SaKey): SaSpec {
  const spi = buildSpi(src, dst, key.tag);
  const salt = [spi >>> 24, (spi >>> 16) & 0xff, (spi >>> 8) & 0xff, spi & 0xff];
  const keyHex = [...key.key, ...salt].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { src, dst, spi, keyHex };
}

/** The table for these remote hosts with these keys. */
export function wantedXfrm(local: string, remotes: Iterable<string>, keys: IpsecKeys, port: number): XfrmTable {
  const states = new Map<string, SaSpec>();
  const policies = new Map<string, PolicySpec>();
  for (const remote of remotes) {
    for (const key of keys.all) {
      const inbound = sa(remote, local, key);
      states.set(saId(inbound), inbound);
    }
    const outbound = sa(local, remote, keys.primary);
    states.set(saId(outbound), outbound);
    const policy = { local, remote, port, spi: outbound.spi };
    policies.set(policyId(policy), policy);
  }
  return { states, policies };
}

/** Without keys nothing new can be made: what is programmed for the remotes still wanted stays. */
export function keptXfrm(current: XfrmTable, remotes: ReadonlySet<string>): XfrmTable {
  const policies = new Map([...current.policies].filter(([, p]) => remotes.has(p.remote)));
  const states = new Map([...current.states].filter(([, s]) => remotes.has(s.src) || remotes.has(s.dst)));
  return { states, policies };
}

function stateAdd(s: SaSpec): string[] {
  if (s.keyHex === undefined) throw new Error(`SA ${saId(s)} has no key to add it with`);
  return ['ip', 'xfrm', 'state', 'add', 'src', s.src, 'dst', s.dst, 'proto', 'esp', 'spi', hex(s.spi), 'reqid', hex(REQID), 'mode', 'transport', 'aead', AEAD, `0x${s.keyHex}`, ICV_BITS];
}

function stateDelete(s: SaSpec): string[] {
  return ['ip', 'xfrm', 'state', 'delete', 'src', s.src, 'dst', s.dst, 'proto', 'esp', 'spi', hex(s.spi)];
}

function selector(p: PolicySpec): string[] {
  return ['src', `${p.local}/32`, 'dst', `${p.remote}/32`, 'proto', 'udp', 'dport', String(p.port), 'dir', 'out'];
}

function policySet(verb: 'add' | 'update', p: PolicySpec): string[] {
  return ['ip', 'xfrm', 'policy', verb, ...selector(p), 'tmpl', 'src', p.local, 'dst', p.remote, 'proto', 'esp', 'spi', hex(p.spi), 'reqid', hex(REQID), 'mode', 'transport'];
}

function policyDelete(p: PolicySpec): string[] {
  return ['ip', 'xfrm', 'policy', 'delete', ...selector(p)];
}

/**
 * The commands from `current` to `wanted`, in an order that never lets VXLAN to a remote leave in
 * clear and drops as little as it can: policies for new remotes (their traffic is dropped, not sent
 * plain, until the SAs exist), then the new SAs, then policies switched to the new primary SA (its
 * SA exists by then: a rotation loses no packet), then old SAs, and last the policies of remotes no
 * longer wanted (their FDB entries are gone by then).
 */
export function xfrmCommands(current: XfrmTable, wanted: XfrmTable): string[][] {
  const out: string[][] = [];
  for (const [id, p] of wanted.policies) if (!current.policies.has(id)) out.push(policySet('add', p));
  for (const [id, s] of wanted.states) if (!current.states.has(id)) out.push(stateAdd(s));
  for (const [id, p] of wanted.policies) {
    const had = current.policies.get(id);
    if (had !== undefined && had.spi !== p.spi) out.push(policySet('update', p));
  }
  for (const [id, s] of current.states) if (!wanted.states.has(id)) out.push(stateDelete(s));
  for (const [id, p] of current.policies) if (!wanted.policies.has(id)) out.push(policyDelete(p));
  return out;
}

/** Our SAs in `ip xfrm state list` output (those with our reqid). */
export function parseStates(text: string): Map<string, SaSpec> {
  const states = new Map<string, SaSpec>();
  for (const block of blocks(text)) {
    const head = /^src (\S+) dst (\S+)/.exec(block);
    const id = /proto esp spi (0x[0-9a-f]+) reqid (\d+)/.exec(block);
    if (head === null || id === null || Number(id[2]) !== REQID) continue;
    const s: SaSpec = { src: head[1]!, dst: head[2]!, spi: Number(id[1]) };
    states.set(saId(s), s);
  }
  return states;
}

/** Our outbound policies in `ip xfrm policy list` output (a template with our reqid), by policyId(). */
export function parsePolicies(text: string): Map<string, PolicySpec> {
  const policies = new Map<string, PolicySpec>();
  for (const block of blocks(text)) {
    const sel = /^src (\S+)\/32 dst (\S+)\/32 proto udp dport (\d+)/.exec(block);
    const tmpl = /proto esp spi (0x[0-9a-f]+) reqid (\d+) mode transport/.exec(block);
    if (sel === null || tmpl === null || !/\bdir out\b/.test(block) || Number(tmpl[2]) !== REQID) continue;
    const p: PolicySpec = { local: sel[1]!, remote: sel[2]!, port: Number(sel[3]), spi: Number(tmpl[1]) };
    policies.set(policyId(p), p);
  }
  return policies;
}

/** Entries start at a line that does not begin with whitespace. */
function blocks(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (/^\s/.test(line) && out.length > 0) out[out.length - 1] += '\n' + line.trim();
    else out.push(line.trim());
  }
  return out;
}
