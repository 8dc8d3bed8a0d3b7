// A stand-in for shoald in harness tests: takes shoald's flags, serves GET /_ping on the -H socket,
// and shuts down cleanly on SIGTERM. `--exit-at-once` makes it die before serving (a failing daemon).
import { createServer } from 'node:http';
import { rmSync } from 'node:fs';

const args = process.argv.slice(2);
const host = args[args.indexOf('-H') + 1] ?? '';
if (!host.startsWith('unix://')) throw new Error(`standin: want -H unix://PATH, got ${host}`);
if (args.includes('--exit-at-once')) {
  console.error('standin: exiting at once as asked');
  process.exit(3);
}
const socket = host.slice('unix://'.length);
rmSync(socket, { force: true }); // like dockerd: a socket left by a crash is stale
const server = createServer((req, res) => {
  res.writeHead(req.url === '/_ping' ? 200 : 404, { 'Content-Type': 'text/plain' });
  res.end(req.url === '/_ping' ? 'OK' : 'not found');
});
server.listen(socket, () => console.log(`standin: serving ${socket} as ${args[args.indexOf('--hostname') + 1]}`));
process.on('SIGTERM', () => {
  console.log('standin: SIGTERM, shutting down');
  server.close(() => process.exit(0));
});
