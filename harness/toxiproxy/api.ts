// The HTTP API: one route table mirroring Toxiproxy 2.12's api.go. Handlers
// get the parsed body and path parameters and return a status and a JSON
// value; errors are thrown as ApiError and rendered by the server.
import { parseProxyFields, type ProxyCollection } from './collection.ts';
import { ApiError } from './errors.ts';
import { toxicJson } from './toxic.ts';

export const VERSION = '2.12.0';

export interface Request {
  params: Record<string, string>;
  /** The parsed JSON body; `undefined` when the body was empty. */
  body: () => unknown;
}

export interface Reply {
  status: number;
  /** JSON value, or a raw string sent as is; undefined for no body. */
  json?: unknown;
  raw?: string;
}

type Handler = (api: ProxyCollection, req: Request) => Promise<Reply> | Reply;

export interface Route {
  method: string;
  path: string;
  name: string;
  handler: Handler;
}

const ok = (json: unknown, status = 200): Reply => ({ status, json });

export const routes: Route[] = [
  {
    method: 'POST',
    path: '/reset',
    name: 'ResetState',
    handler: async (api) => {
      await api.reset();
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/proxies',
    name: 'ProxyIndex',
    // Go marshals maps with sorted keys; scripts may rely on that order.
    handler: (api) =>
      ok(Object.fromEntries(api.list().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((p) => [p.name, p.toJSON()]))),
  },
  {
    method: 'POST',
    path: '/proxies',
    name: 'ProxyCreate',
    handler: async (api, req) => {
      const input = parseProxyFields(req.body(), { name: '', listen: '', upstream: '', enabled: true });
      return ok((await api.add(input)).toJSON(), 201);
    },
  },
  {
    method: 'POST',
    path: '/populate',
    name: 'Populate',
    handler: async (api, req) => {
      try {
        const proxies = await api.populate(req.body());
        return ok({ proxies: proxies.map((p) => p.toJSON()) }, 201);
      } catch (err) {
        // Toxiproxy answers populate errors with the proxies field too.
        if (err instanceof ApiError) return ok({ ...err.toJSON(), proxies: null }, err.status);
        throw err;
      }
    },
  },
  {
    method: 'GET',
    path: '/proxies/{proxy}',
    name: 'ProxyShow',
    handler: (api, req) => ok(api.get(req.params.proxy!).toJSON()),
  },
  ...(['POST', 'PATCH'] as const).map(
    (method): Route => ({
      method,
      path: '/proxies/{proxy}',
      name: 'ProxyUpdate',
      handler: async (api, req) => {
        const proxy = api.get(req.params.proxy!);
        return proxy.lock.run(async () => {
          const input = parseProxyFields(req.body(), {
            name: proxy.name,
            listen: proxy.listen,
            upstream: proxy.upstream,
            enabled: proxy.enabled,
          });
          await proxy.update({ listen: input.listen, upstream: input.upstream, enabled: input.enabled ?? proxy.enabled });
          return ok(proxy.toJSON());
        });
      },
    }),
  ),
  {
    method: 'DELETE',
    path: '/proxies/{proxy}',
    name: 'ProxyDelete',
    handler: async (api, req) => {
      await api.remove(req.params.proxy!);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/proxies/{proxy}/toxics',
    name: 'ToxicIndex',
    handler: (api, req) => ok(api.get(req.params.proxy!).toxics.list().map(toxicJson)),
  },
  {
    method: 'POST',
    path: '/proxies/{proxy}/toxics',
    name: 'ToxicCreate',
    handler: async (api, req) => {
      const proxy = api.get(req.params.proxy!);
      return proxy.lock.run(() => ok(toxicJson(proxy.toxics.add(req.body()))));
    },
  },
  {
    method: 'GET',
    path: '/proxies/{proxy}/toxics/{toxic}',
    name: 'ToxicShow',
    handler: (api, req) => ok(toxicJson(api.get(req.params.proxy!).toxics.get(req.params.toxic!))),
  },
  ...(['POST', 'PATCH'] as const).map(
    (method): Route => ({
      method,
      path: '/proxies/{proxy}/toxics/{toxic}',
      name: 'ToxicUpdate',
      handler: async (api, req) => {
        const proxy = api.get(req.params.proxy!);
        return proxy.lock.run(async () => {
          proxy.toxics.get(req.params.toxic!);
          return ok(toxicJson(await proxy.toxics.update(req.params.toxic!, req.body())));
        });
      },
    }),
  ),
  {
    method: 'DELETE',
    path: '/proxies/{proxy}/toxics/{toxic}',
    name: 'ToxicDelete',
    handler: async (api, req) => {
      const proxy = api.get(req.params.proxy!);
      await proxy.lock.run(() => proxy.toxics.remove(req.params.toxic!));
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/version',
    name: 'Version',
    handler: () => ({ status: 200, raw: `{"version": "${VERSION}"}\n` }),
  },
];

interface CompiledRoute extends Route {
  /** Literal segments as strings, parameters as their names in braces. */
  segments: string[];
}

const compiled: CompiledRoute[] = routes.map((r) => ({ ...r, segments: r.path.split('/') }));

/**
 * The decoded segments of a request target's path, or undefined when one is
 * not valid percent-encoding. Each segment is decoded on its own, so a name
 * holding "/" is addressed as %2F (Toxiproxy decodes the whole path first,
 * which leaves such a proxy unreachable), and no "." or ".." is resolved.
 */
export function pathSegments(target: string): string[] | undefined {
  // An absolute-form target (http://host/path) names the path after the authority.
  const path = target.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/, '').replace(/[?#].*$/s, '');
  try {
    return (path.startsWith('/') ? path : `/${path}`).split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

export type Match =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

function paramsOf(route: CompiledRoute, segments: string[]): Record<string, string> | undefined {
  if (route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const want = route.segments[i]!;
    const got = segments[i]!;
    if (want.startsWith('{')) {
      if (got === '') return undefined;
      params[want.slice(1, -1)] = got;
    } else if (want !== got) return undefined;
  }
  return params;
}

/** Finds the route for a path's decoded segments; like gorilla/mux, a known path with another method is 405. */
export function match(method: string, segments: string[]): Match {
  let pathKnown = false;
  for (const r of compiled) {
    const params = paramsOf(r, segments);
    if (params === undefined) continue;
    pathKnown = true;
    if (r.method === method) return { kind: 'found', route: r, params };
  }
  return pathKnown ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
}
