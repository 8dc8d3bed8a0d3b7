// Checks that the shoald image and docker-compose.yml agree with shoald itself: every node service runs
// bin/shoald with flags that shoald's own parser accepts (values included), its API socket lies in a
// directory bind-mounted to the host under the bootstrap's peers directory, and the bootstrap service
// knows exactly those nodes. Reads `docker-compose config` as JSON on stdin; the repo root is argv[2].
// Exits 1 with one line per problem.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';

const root = process.argv[2] ?? '.';
const { parseFlags } = await import(join(root, 'packages/daemon/dist/src/flags.js'));
const compose = JSON.parse(readFileSync(0, 'utf8'));
const problems = [];

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(text) {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(l) ?? [];
      return { keyword: keyword.toUpperCase(), rest };
    });
}

/** The last KEYWORD's exec-form array; the shell form would hide the flags behind /bin/sh -c. */
function execForm(list, keyword) {
  const found = list.filter((i) => i.keyword === keyword).at(-1);
  if (found === undefined) return undefined;
  try {
    const argv = JSON.parse(found.rest);
    if (Array.isArray(argv) && argv.every((a) => typeof a === 'string')) return argv;
  } catch {}
  problems.push(`Dockerfile: ${keyword} must be in exec form (a JSON array of strings): ${found.rest}`);
  return undefined;
}

const dockerfile = instructions(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const workdir = dockerfile.filter((i) => i.keyword === 'WORKDIR').at(-1)?.rest ?? '/';
const entrypoint = execForm(dockerfile, 'ENTRYPOINT') ?? [];
const cmd = execForm(dockerfile, 'CMD') ?? [];

/** A path inside the image, as the repo file it was copied from (COPY . <workdir>). */
function repoPath(imagePath) {
  const rel = posix.relative(workdir, posix.resolve(workdir, imagePath));
  return rel.startsWith('..') ? undefined : join(root, rel);
}

function isExecutable(imagePath) {
  const path = repoPath(imagePath);
  return path !== undefined && existsSync(path) && (statSync(path).mode & 0o111) !== 0;
}

const program = entrypoint[0];
if (program === undefined || repoPath(program) !== join(root, 'bin/shoald') || !isExecutable(program)) {
  problems.push(`Dockerfile: ENTRYPOINT must start with ${posix.join(workdir, 'bin/shoald')}, found ${JSON.stringify(program)}`);
}

const args = (command) => (command === undefined ? cmd : typeof command === 'string' ? command.split(/\s+/).filter(Boolean) : command);
const volumes = (service) =>
  (service.volumes ?? []).map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v));

const services = Object.entries(compose.services ?? {});
const fromRepo = services.filter(([, s]) => s.build !== undefined && relative(s.build.context ?? s.build, root) === '');
const nodes = fromRepo.filter(([, s]) => s.entrypoint === undefined);
const helpers = fromRepo.filter(([, s]) => s.entrypoint !== undefined);
if (nodes.length === 0) problems.push('docker-compose.yml: no service runs the image built from this repo');

const socketDirs = new Map();
for (const [name, service] of nodes) {
  const argv = [...entrypoint.slice(1), ...args(service.command)];
  try {
    const flags = await parseFlags(argv);
    if (flags.kind !== 'run') throw new Error('the flags ask for help instead of running');
    const mount = volumes(service).find((v) => v.target === dirname(flags.config.socketPath));
    if (mount === undefined) problems.push(`${name}: no volume makes ${dirname(flags.config.socketPath)} (holding -H's socket) visible on the host`);
    else socketDirs.set(name, mount.source);
    console.log(`ok ${name}: shoald ${argv.join(' ')}`);
  } catch (err) {
    problems.push(`${name}: shoald refuses ${JSON.stringify(argv)}: ${err.message}`);
  }
}

for (const [name, service] of helpers) {
  const [script] = [service.entrypoint].flat();
  if (!isExecutable(script)) problems.push(`${name}: entrypoint ${script} is not an executable file of the repo`);
  const env = service.environment ?? {};
  if (env.SHOAL_PEERS_DIR === undefined) continue;
  const peers = volumes(service).find((v) => v.target === env.SHOAL_PEERS_DIR);
  const listed = `${env.SHOAL_MANAGERS ?? ''} ${env.SHOAL_WORKERS ?? ''}`.split(/\s+/).filter(Boolean).sort();
  const expected = nodes.map(([n]) => n).sort();
  if (listed.join(' ') !== expected.join(' ')) problems.push(`${name}: forms the swarm of [${listed}] but the node services are [${expected}]`);
  for (const [node, source] of socketDirs) {
    if (peers === undefined || source !== join(peers.source, node)) {
      problems.push(`${name}: expects ${node}'s socket directory at ${env.SHOAL_PEERS_DIR}/${node}, but ${node} mounts ${source}`);
    }
  }
}

for (const p of problems) console.error(`check-compose: ${p}`);
process.exit(problems.length === 0 ? 0 : 1);
