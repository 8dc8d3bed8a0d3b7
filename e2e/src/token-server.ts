// A registry token server for e2e tests (Docker's token auth: the registry answers 401 with a Bearer
// challenge naming this realm; clients come here for a JWT). Run as its own process inside a test
// host's namespace: node token-server.js ADDR PORT KEY CERT USER PASSWORD SERVICE ISSUER. Grants the
// requested actions to USER:PASSWORD, nothing to anyone else, and refuses wrong credentials with 401.
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

interface Signer {
  readonly key: string;
  readonly certDer: Buffer;
  readonly service: string;
  readonly issuer: string;
}

function token({ key, certDer, service, issuer }: Signer, access: unknown[]): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
  const claims = { iss: issuer, sub: 'test', aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
  const signing = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${signing}.${b64url(createSign('RSA-SHA256').update(signing).sign(key))}`;
}

function serve(addr: string, port: number, signer: Signer, user: string, password: string): void {
  createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [u, p] = basic === undefined ? [] : Buffer.from(basic, 'base64').toString('utf8').split(':');
    if (basic !== undefined && (u !== user || p !== password)) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      return basic === undefined ? [] : [{ type, name, actions: (actions ?? '').split(',') }];
    });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: token(signer, access), expires_in: 300 }));
  }).listen(port, addr);
}

const [addr, port, keyFile, certFile, user, password, service, issuer] = process.argv.slice(2);
if (!addr || !port || !keyFile || !certFile || !user || !password || !service || !issuer) {
  process.stderr.write('usage: token-server ADDR PORT KEY CERT USER PASSWORD SERVICE ISSUER\n');
  process.exit(2);
}
const signer = { key: readFileSync(keyFile, 'utf8'), certDer: new X509Certificate(readFileSync(certFile)).raw, service, issuer };
serve(addr, Number(port), signer, user, password);
