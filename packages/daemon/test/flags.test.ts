import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { FlagError, parseFlags, type DaemonConfig } from '../src/flags.js';

async function config(argv: string[]): Promise<DaemonConfig> {
  const result = await parseFlags(argv);
  assert.equal(result.kind, 'run');
  return (result as { config: DaemonConfig }).config;
}

test('shoald flags default to /var/lib/shoal, /run/shoal and its socket', async () => {
  assert.deepEqual(await config([]), {
    dataRoot: '/var/lib/shoal',
    execRoot: '/run/shoal',
    socketPath: '/run/shoal/shoal.sock',
    hostname: hostname(),
    logLevel: 'info',
    insecureRegistries: [],
    registryCertsDir: '/etc/docker/certs.d',
  });
});

test('shoald flags set every option, -H as short for --host', async () => {
  assert.deepEqual(
    await config([
      '--data-root', '/d', '--exec-root=/e', '-H', 'unix:///tmp/x.sock', '--hostname', 'mgr-1', '--log-level', 'debug',
      '--insecure-registry', 'reg:5000', '--insecure-registry', '10.0.0.0/8', '--registry-certs-dir', '/certs',
    ]),
    { dataRoot: '/d', execRoot: '/e', socketPath: '/tmp/x.sock', hostname: 'mgr-1', logLevel: 'debug', insecureRegistries: ['reg:5000', '10.0.0.0/8'], registryCertsDir: '/certs' },
  );
  assert.equal((await config(['--host', 'unix:///a.sock'])).socketPath, '/a.sock');
});

test('relative roots are made absolute', async () => {
  assert.equal((await config(['--data-root', 'rel/dir'])).dataRoot, `${process.cwd()}/rel/dir`);
});

test('bad flags are refused with a FlagError that says what is wrong', async () => {
  const cases: [string[], RegExp][] = [
    [['--log-level', 'loud'], /Invalid values:[\s\S]*log-level[\s\S]*loud/],
    [['--bogus'], /Unknown argument: bogus/],
    [['extra'], /Unknown argument: extra/],
    [['-H', 'tcp://0.0.0.0:2375'], /invalid --host "tcp:\/\/0\.0\.0\.0:2375": expected unix:\/\/\/absolute\/path\.sock/],
    [['-H', 'unix://relative.sock'], /invalid --host/],
    [['--insecure-registry', 'https://reg'], /insecure registry https:\/\/reg should not contain ':\/\/'/],
    [['--hostname', 'has space'], /invalid --hostname "has space"/],
    [['--data-root', ''], /--data-root must not be empty|Not enough arguments/],
    [['--data-root'], /Not enough arguments following: data-root/],
  ];
  for (const [argv, message] of cases) {
    await assert.rejects(parseFlags(argv), (err: unknown) => {
      assert.ok(err instanceof FlagError, `${argv.join(' ')}: ${String(err)}`);
      assert.match(err.message, message, argv.join(' '));
      return true;
    });
  }
});

test('--help returns the usage text listing every flag', async () => {
  const result = await parseFlags(['--help']);
  assert.equal(result.kind, 'help');
  const textOut = (result as { text: string }).text;
  for (const flag of ['--data-root', '--exec-root', '-H, --host', '--hostname', '--log-level']) assert.ok(textOut.includes(flag), flag);
});
