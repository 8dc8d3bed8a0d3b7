// IpsecReconciler over a fake `ip xfrm` (a model of the kernel's SA and policy tables that prints
// them as iproute2 does): which SAs and policies are added and removed as remotes come and go and keys
// rotate, and what is left when the kernel refuses ESP SAs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkCommandError } from '../../../src/network/errors.js';
import { buildSpi, IpsecReconciler, ipsecKeys, type EncryptionKeyLike } from '../../../src/network/ipsec/index.js';

const L = '198.51.100.1';
const R1 = '198.51.100.2';
const R2 = '198.51.100.3';
const PORT = 4789;
const key = (lamportTime: number): EncryptionKeyLike => ({ subsystem: 'networking:ipsec', algorithm: 'AES_128_GCM', key: new Uint8Array(16).fill(lamportTime), lamportTime });
const ring = (...times: number[]) => ipsecKeys(times.map(key))!;
const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** The kernel's XFRM tables, driven by the argv the reconciler runs. */
class FakeXfrm {
  readonly states = new Map<string, { src: string; dst: string; spi: string; reqid: number }>();
  readonly policies = new Map<string, { src: string; dst: string; port: string; spi: string; reqid: number }>();
  readonly log: string[] = [];
  constructor(private readonly esp: boolean) {}

  exec = async (argv: readonly string[]): Promise<string> => {
    const a = argv.slice(2);
    const at = (word: string) => a[a.indexOf(word) + 1]!;
    const [object, verb] = a;
    if (verb === 'list') return object === 'state' ? this.#listStates() : this.#listPolicies();
    this.log.push(`${object} ${verb} ${object === 'state' ? `${at('src')}>${at('dst')} ${at('spi')}` : `${at('dst').replace('/32', '')}${verb === 'delete' ? '' : ` ${a[a.lastIndexOf('spi') + 1]}`}`}`);
    if (object === 'state') {
      const id = `${at('src')}>${at('dst')}/${at('spi')}`;
      if (verb === 'add') {
        if (!this.esp) throw new NetworkCommandError(['ip', ...a], 2, 'Error: Requested AEAD algorithm not found.');
        this.states.set(id, { src: at('src'), dst: at('dst'), spi: at('spi'), reqid: Number(at('reqid')) });
      } else if (!this.states.delete(id)) throw new NetworkCommandError(['ip', ...a], 2, 'RTNETLINK answers: No such process');
      return '';
    }
    const id = `${a[a.indexOf('src') + 1]}>${a[a.indexOf('dst') + 1]}:${at('dport')}`;
    if (verb === 'delete') {
      if (!this.policies.delete(id)) throw new NetworkCommandError(['ip', ...a], 2, 'RTNETLINK answers: No such file or directory');
      return '';
    }
    if ((verb === 'add') === this.policies.has(id)) throw new NetworkCommandError(['ip', ...a], 2, 'RTNETLINK answers: File exists');
    const tmpl = a.slice(a.indexOf('tmpl'));
    this.policies.set(id, { src: at('src'), dst: at('dst'), port: at('dport'), spi: tmpl[tmpl.indexOf('spi') + 1]!, reqid: Number(tmpl[tmpl.indexOf('reqid') + 1]) });
    return '';
  };

  #listStates(): string {
    return [...this.states.values()].map((s) => `src ${s.src} dst ${s.dst}\n\tproto esp spi ${s.spi} reqid ${s.reqid} mode transport\n\treplay-window 0 \n`).join('');
  }

  #listPolicies(): string {
    return [...this.policies.values()]
      .map((p) => `src ${p.src} dst ${p.dst} proto udp dport ${p.port} \n\tdir out priority 0 ptype main \n\ttmpl src ${p.src.replace('/32', '')} dst ${p.dst.replace('/32', '')}\n\t\tproto esp spi ${p.spi} reqid ${p.reqid} mode transport\n`)
      .join('');
  }

  /** Remote → the SPI its policy sends with; and every SA as "src>dst spi". */
  snapshot() {
    return {
      policies: Object.fromEntries([...this.policies.values()].map((p) => [p.dst.replace('/32', ''), p.spi])),
      states: [...this.states.values()].map((s) => `${s.src}>${s.dst} ${s.spi}`).sort(),
    };
  }
}

const sas = (remote: string, inTags: number[], outTag: number) =>
  [...inTags.map((t) => `${remote}>${L} ${hex(buildSpi(remote, L, t))}`), `${L}>${remote} ${hex(buildSpi(L, remote, outTag))}`];

test('remotes added get a policy and their SAs; a rotation re-keys every remote; a remote removed loses everything', async () => {
  const kernel = new FakeXfrm(true);
  const ipsec = new IpsecReconciler({ localAddr: L, dataPathPort: PORT, exec: kernel.exec });
  await ipsec.setKeys(ring(1, 2, 3));
  assert.equal(kernel.log.length, 0, 'keys alone program nothing');

  await ipsec.setRemotes([R1, L]);
  assert.deepEqual(kernel.snapshot(), { policies: { [R1]: hex(buildSpi(L, R1, 2)) }, states: sas(R1, [1, 2, 3], 2).sort() });
  assert.equal(kernel.log[0], `policy add ${R1} ${hex(buildSpi(L, R1, 2))}`, 'the policy before any SA');

  await ipsec.setRemotes([R1, R2]);
  kernel.log.length = 0;
  await ipsec.setKeys(ring(2, 3, 4));
  assert.deepEqual(kernel.snapshot(), {
    policies: { [R1]: hex(buildSpi(L, R1, 3)), [R2]: hex(buildSpi(L, R2, 3)) },
    states: [...sas(R1, [2, 3, 4], 3), ...sas(R2, [2, 3, 4], 3)].sort(),
  });
  const firstUpdate = kernel.log.findIndex((l) => l.startsWith('policy update'));
  const lastAdd = kernel.log.findLastIndex((l) => l.startsWith('state add'));
  const firstDelete = kernel.log.findIndex((l) => l.startsWith('state delete'));
  assert.ok(lastAdd < firstUpdate && firstUpdate < firstDelete, `new SAs, then policies, then old SAs: ${kernel.log.join('; ')}`);

  kernel.log.length = 0;
  await ipsec.setRemotes([R2]);
  assert.deepEqual(kernel.snapshot(), { policies: { [R2]: hex(buildSpi(L, R2, 3)) }, states: sas(R2, [2, 3, 4], 3).sort() });
  assert.equal(kernel.log.at(-1), `policy delete ${R1}`, 'the policy goes last');
  await ipsec.setRemotes([]);
  assert.deepEqual(kernel.snapshot(), { policies: {}, states: [] });
});

test('a kernel that refuses ESP SAs keeps the policy (traffic dropped, never sent in clear) and the error says why', async () => {
  const kernel = new FakeXfrm(false);
  const ipsec = new IpsecReconciler({ localAddr: L, dataPathPort: PORT, exec: kernel.exec });
  await ipsec.setKeys(ring(1, 2, 3));
  await assert.rejects(ipsec.setRemotes([R1]), (err: unknown) => err instanceof NetworkCommandError && /AEAD algorithm not found/.test(err.message));
  assert.deepEqual(kernel.snapshot(), { policies: { [R1]: hex(buildSpi(L, R1, 2)) }, states: [] });
  assert.equal(ipsec.programmed.policies.size, 1, 'what is programmed was read back from the kernel');
  await ipsec.setRemotes([]);
  assert.deepEqual(kernel.snapshot(), { policies: {}, states: [] }, 'and it is removed when the remote goes');
});

test('at start-up what a previous run left is read back: kept for remotes still wanted (even before keys arrive), removed for others', async () => {
  const kernel = new FakeXfrm(true);
  const before = new IpsecReconciler({ localAddr: L, dataPathPort: PORT, exec: kernel.exec });
  await before.setKeys(ring(1, 2, 3));
  await before.setRemotes([R1, R2]);
  kernel.states.set('other', { src: L, dst: R1, spi: '0x00000999', reqid: 1 });

  const after = new IpsecReconciler({ localAddr: L, dataPathPort: PORT, exec: kernel.exec });
  await after.readKernel();
  kernel.log.length = 0;
  await after.setRemotes([R2]);
  assert.deepEqual(kernel.snapshot(), { policies: { [R2]: hex(buildSpi(L, R2, 2)) }, states: [...sas(R2, [1, 2, 3], 2), `${L}>${R1} 0x00000999`].sort() });
  assert.ok(kernel.log.every((l) => l.includes(R1)), 'only the stale remote was touched');
  await after.setKeys(ring(2, 3, 4));
  assert.deepEqual(kernel.snapshot().policies, { [R2]: hex(buildSpi(L, R2, 3)) });
});
