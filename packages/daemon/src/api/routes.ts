// Route tables: other modules describe their endpoints as data (method, path pattern, accepted
// filters, handler) and the API edge does parsing, validation, versioning and error mapping for all.
import type { Filters } from './filters.js';
import type { Query } from './query.js';
import type { ApiResult } from './respond.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export interface RequestContext<F extends string = never> {
  readonly method: HttpMethod;
  /** The path without the version prefix, e.g. "/nodes/abc". */
  readonly path: string;
  /** The API version the client speaks (from "/v1.NN/…"; the maximum for unversioned paths). */
  readonly apiVersion: string;
  /** Decoded path parameters by name, e.g. { id: "abc" } for "/nodes/{id}". */
  readonly params: Readonly<Record<string, string>>;
  readonly query: Query;
  /** Parsed `filters`, already validated against the route's accepted keys. */
  readonly filters: Filters<F>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Aborted when the client disconnects or the server shuts down. */
  readonly signal: AbortSignal;
  /** Reads the request body as JSON (size-limited; 400 on malformed JSON or a non-JSON type). */
  json(): Promise<unknown>;
  /** The raw request body, unread and unbounded (tar uploads); the handler decides how much to take. */
  body(): AsyncIterable<Uint8Array>;
}

export interface Route<F extends string = string> {
  readonly method: HttpMethod;
  /** "/nodes/{id}"; "{name:.*}" matches one or more segments, for image names with slashes. */
  readonly path: string;
  /** Filter keys this route accepts; other keys in `filters` are refused with 400. */
  readonly filters?: readonly F[];
  readonly handler: (ctx: RequestContext<F>) => ApiResult | Promise<ApiResult>;
}

export type RouteTable = readonly Route<any>[];

/** Declares a route with its filter keys inferred, so handlers see a typed `ctx.filters`. */
export function route<const F extends string = never>(def: Route<F>): Route<F> {
  return def;
}

interface CompiledRoute {
  readonly route: Route<any>;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: Route<any>; readonly params: Record<string, string> }
  | { readonly kind: 'not-found' };

const paramSyntax = /^\{([A-Za-z_][A-Za-z0-9_]*)(:\.\*)?\}$/;

export function compilePath(path: string): { pattern: RegExp; names: string[] } {
  if (!path.startsWith('/')) throw new Error(`route path must start with "/": ${path}`);
  const names: string[] = [];
  const parts = path.split('/').slice(1).map((segment) => {
    const m = paramSyntax.exec(segment);
    if (m === null) {
      if (segment.includes('{') || segment.includes('}')) throw new Error(`bad route segment "${segment}" in ${path}`);
      return escapeRegExp(segment);
    }
    names.push(m[1] as string);
    return m[2] === undefined ? '([^/]+)' : '(.+)';
  });
  return { pattern: new RegExp(`^/${parts.join('/')}$`), names };
}

export class Router {
  readonly #routes: CompiledRoute[] = [];

  /** Adds routes; a second route for the same method and path shape is a programming error. */
  add(routes: RouteTable): void {
    for (const r of routes) {
      if (this.has(r.method, r.path)) throw new Error(`duplicate route ${r.method} ${r.path}`);
      const { pattern, names } = compilePath(r.path);
      this.#routes.push({ route: r, pattern, names });
    }
  }

  /** Whether a route with this method and path shape exists ("/nodes/{id}" is "/nodes/{name}"). */
  has(method: HttpMethod, path: string): boolean {
    const source = compilePath(path).pattern.source;
    return this.#routes.some((c) => c.route.method === method && c.pattern.source === source);
  }

  /** First registered route whose method and path match. dockerd answers 404 for a wrong method too. */
  match(method: string, path: string): RouteMatch {
    for (const c of this.#routes) {
      if (c.route.method !== method) continue;
      const m = c.pattern.exec(path);
      if (m === null) continue;
      const params: Record<string, string> = {};
      for (let i = 0; i < c.names.length; i++) params[c.names[i] as string] = safeDecode(m[i + 1] as string);
      return { kind: 'found', route: c.route, params };
    }
    return { kind: 'not-found' };
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
