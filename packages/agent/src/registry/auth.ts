// Registry authentication as the Docker CLI hands it over (X-Registry-Auth) and as registries ask for
// it (a WWW-Authenticate challenge on /v2/: Basic, or Bearer with a token server).
import { ImageError } from '../images/types.js';

/** The credentials of one request: what the docker CLI sends base64url-JSON in X-Registry-Auth. */
export interface RegistryAuth {
  readonly username?: string;
  readonly password?: string;
  /** A bearer token to use as is. */
  readonly registrytoken?: string;
}

/**
 * Decodes X-Registry-Auth ("e30=" = no credentials); anything undecodable counts as none, as dockerd
 * does. An identity token (an OAuth2 refresh token some registries return at login) is refused: shoal
 * does not do the refresh grant, and using the credentials without it would fail later and less clearly.
 */
export function decodeRegistryAuth(header: string | undefined): RegistryAuth {
  if (header === undefined || header.trim() === '') return {};
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(header.trim(), 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
  const pick = (k: string) => (typeof doc[k] === 'string' && doc[k] !== '' ? { [k]: doc[k] as string } : {});
  if (pick('identitytoken')['identitytoken'] !== undefined) {
    throw new ImageError('invalid-argument', 'shoal does not support identity tokens (registries that answer login with a refresh token) yet');
  }
  return { ...pick('username'), ...pick('password'), ...pick('registrytoken') };
}

/** Whether the request carries credentials at all. */
export function hasCredentials(auth: RegistryAuth): boolean {
  return auth.username !== undefined || auth.password !== undefined || auth.registrytoken !== undefined;
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
