// Registry authentication as the Docker CLI hands it over (X-Registry-Auth) and as registries ask for
// it (a WWW-Authenticate challenge on /v2/: Basic, or Bearer with a token server).

/** The credentials of one request: what the docker CLI sends base64url-JSON in X-Registry-Auth. */
export interface RegistryAuth {
  readonly username?: string;
  readonly password?: string;
  /** A refresh token a token server gave at login; sent as an OAuth2 refresh grant. */
  readonly identitytoken?: string;
  /** A bearer token to use as is. */
  readonly registrytoken?: string;
}

/** Decodes X-Registry-Auth ("e30=" = no credentials); anything undecodable counts as none, as dockerd does. */
export function decodeRegistryAuth(header: string | undefined): RegistryAuth {
  if (header === undefined || header.trim() === '') return {};
  try {
    const doc = JSON.parse(Buffer.from(header.trim(), 'base64url').toString('utf8')) as Record<string, unknown>;
    const pick = (k: string) => (typeof doc[k] === 'string' && doc[k] !== '' ? { [k]: doc[k] as string } : {});
    return { ...pick('username'), ...pick('password'), ...pick('identitytoken'), ...pick('registrytoken') };
  } catch {
    return {};
  }
}

export interface Challenge {
  readonly scheme: 'basic' | 'bearer';
  readonly params: Readonly<Record<string, string>>;
}

/** Parses `Bearer realm="https://auth/token",service="reg"` (the first challenge shoal can answer). */
export function parseChallenge(header: string | string[] | undefined): Challenge | undefined {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  for (const value of values) {
    const m = /^\s*(\w+)\s*(.*)$/.exec(value);
    if (m === null) continue;
    const scheme = m[1]!.toLowerCase();
    if (scheme !== 'basic' && scheme !== 'bearer') continue;
    const params: Record<string, string> = {};
    for (const p of m[2]!.matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
      params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
    }
    return { scheme, params };
  }
  return undefined;
}

export function basicHeader(auth: RegistryAuth): string | undefined {
  if (auth.username === undefined && auth.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64')}`;
}
