// API versions: the daemon advertises one version and accepts requests for any version between the
// minimum and that one, with dockerd's messages outside that range.
import { InvalidArgumentError } from './errors.js';

export const apiVersionMax = '1.41';
export const apiVersionMin = '1.24';

/** Compares dotted versions numerically ("1.9" < "1.24"); missing parts count as 0. */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/**
 * The version a request speaks: the one in its path, or the maximum for unversioned paths (dockerd
 * treats those as the newest). Throws dockerd's 400 outside the supported range.
 */
export function requestApiVersion(pathVersion: string | undefined): string {
  if (pathVersion === undefined) return apiVersionMax;
  if (compareApiVersions(pathVersion, apiVersionMin) < 0) {
    throw new InvalidArgumentError(
      `client version ${pathVersion} is too old. Minimum supported API version is ${apiVersionMin}, please upgrade your client to a newer version`,
    );
  }
  if (compareApiVersions(pathVersion, apiVersionMax) > 0) {
    throw new InvalidArgumentError(
      `client version ${pathVersion} is too new. Maximum supported API version is ${apiVersionMax}`,
    );
  }
  return pathVersion;
}

const versionPrefix = /^\/v([0-9.]+)(\/.*)$/;

/** Splits "/v1.41/nodes" into version "1.41" and path "/nodes"; unversioned paths pass through. */
export function splitVersionedPath(path: string): { version: string | undefined; path: string } {
  const m = versionPrefix.exec(path);
  if (m === null) return { version: undefined, path };
  return { version: m[1], path: m[2] ?? '/' };
}
