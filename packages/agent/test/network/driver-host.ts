// Runs an OverlayDriver inside a test host's namespace (started under `nsenter --net=…`), serving its
// methods as JSON lines on stdin/stdout: {id, method, args} in, {id, value} or {id, error} out.
import { createInterface } from 'node:readline';
import { OverlayDriver } from '../../src/network/index.js';

const [netnsDir, dataPathAddr] = process.argv.slice(2);
if (netnsDir === undefined || dataPathAddr === undefined) throw new Error('usage: driver-host NETNS_DIR DATA_PATH_ADDR');
const driver = new OverlayDriver({ netnsDir, dataPathAddr });

interface Request {
  id: number;
  method: string;
  args: unknown[];
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const req = JSON.parse(line) as Request;
  const fn = (driver as unknown as Record<string, (...a: unknown[]) => unknown>)[req.method];
  Promise.resolve()
    .then(() => {
      if (typeof fn !== 'function') throw new Error(`no method ${req.method}`);
      return fn.apply(driver, req.args);
    })
    .then(
      (value) => process.stdout.write(JSON.stringify({ id: req.id, value: value ?? null }) + '\n'),
      (err: Error & { code?: string }) =>
        process.stdout.write(JSON.stringify({ id: req.id, error: { name: err.name, code: err.code, message: err.message } }) + '\n'),
    );
});
