// The inbound guard on a real kernel: two namespaces of the test's own joined by a veth; VXLAN-shaped
// datagrams sent in clear from one to the other are dropped for the encrypted networks' VNIs and let
// through for others. Nothing leaves the two namespaces, which are deleted afterwards, also on failure.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { command, tryCommand } from '../../../src/network/command.js';
import { InboundGuard, INBOUND_TABLE, inboundGuardScript } from '../../../src/network/ipsec/index.js';

test('the guard script drops each encrypted VNI on the data-path port without IPsec, and empties to no table', () => {
  const script = inboundGuardScript(4790, [4098, 4097, 4098]);
  assert.equal(script.match(/udp dport 4790 @th,96,24 (\d+) meta ipsec missing drop/g)?.length, 2);
  assert.ok(script.indexOf('4097') < script.indexOf('4098'), 'sorted, so an unchanged set is an unchanged script');
  assert.equal(inboundGuardScript(4790, []), `add table inet ${INBOUND_TABLE}\ndelete table inet ${INBOUND_TABLE}\n`);
});

test('the guard applies a changed set only', async () => {
  const applied: string[] = [];
  const guard = new InboundGuard(4789, async (s) => applied.push(s));
  await guard.set([4097]);
  await guard.set([4097]);
  await guard.set([]);
  assert.equal(applied.length, 2);
});

async function namespaces(t: TestContext): Promise<[string, string]> {
  const tag = randomBytes(3).toString('hex');
  const [a, b] = [`shoal-ipg-a-${tag}`, `shoal-ipg-b-${tag}`];
  t.after(async () => {
    await tryCommand(['ip', 'netns', 'delete', a]);
    await tryCommand(['ip', 'netns', 'delete', b]);
  });
  await command(['ip', 'netns', 'add', a]);
  await command(['ip', 'netns', 'add', b]);
  await command(['ip', 'link', 'add', `ipga${tag}`, 'netns', a, 'type', 'veth', 'peer', 'name', `ipgb${tag}`, 'netns', b]);
  await command(['ip', 'addr', 'add', '198.51.100.201/24', 'dev', `ipga${tag}`], { netns: `/run/netns/${a}` });
  await command(['ip', 'addr', 'add', '198.51.100.202/24', 'dev', `ipgb${tag}`], { netns: `/run/netns/${b}` });
  await command(['ip', 'link', 'set', `ipga${tag}`, 'up'], { netns: `/run/netns/${a}` });
  await command(['ip', 'link', 'set', `ipgb${tag}`, 'up'], { netns: `/run/netns/${b}` });
  return [`/run/netns/${a}`, `/run/netns/${b}`];
}

/** Sends one VXLAN-shaped datagram per VNI from `from` and returns how many of them `to` received. */
async function received(from: string, to: string, vnis: number[]): Promise<number[]> {
  const listener = `import('node:dgram').then(({createSocket})=>{const s=createSocket('udp4');const got=[];s.on('message',(m)=>got.push(m.readUIntBE(4,3)));s.bind(4789,()=>process.stdout.write('ready\\n'));setTimeout(()=>{process.stdout.write(JSON.stringify(got));process.exit(0)},1500)})`;
  const { spawn } = await import('node:child_process');
  const child = spawn('nsenter', [`--net=${to}`, '--', process.execPath, '-e', listener], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  for (let i = 0; i < 50 && !out.includes('ready'); i++) await new Promise((r) => setTimeout(r, 50));
  const sender = `import('node:dgram').then(({createSocket})=>{const s=createSocket('udp4');let n=0;for(const v of ${JSON.stringify(vnis)}){const b=Buffer.alloc(24);b[0]=8;b.writeUIntBE(v,4,3);s.send(b,4789,'198.51.100.202',()=>{if(++n===${vnis.length})s.close()})}})`;
  await command([process.execPath, '-e', sender], { netns: from });
  await new Promise((r) => child.once('close', r));
  return JSON.parse(out.slice(out.indexOf('ready') + 6)) as number[];
}

test('VXLAN of an encrypted VNI arriving in clear is dropped; other VNIs pass; removal lets it through again', async (t) => {
  const [a, b] = await namespaces(t);
  const guard = new InboundGuard(4789, (script) => command(['nft', '-f', '-'], { input: script, netns: b }));
  await guard.set([4097]);
  assert.deepEqual(await received(a, b, [4097, 4098]), [4098]);
  await guard.set([]);
  assert.equal((await tryCommand(['nft', 'list', 'table', 'inet', INBOUND_TABLE], { netns: b })).exitCode, 1, 'no table left');
  assert.deepEqual((await received(a, b, [4097, 4098])).sort(), [4097, 4098]);
});
