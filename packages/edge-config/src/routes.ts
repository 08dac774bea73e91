/*
 * The one route table both edges serve: envoy/envoy.yaml (checked by envoy-config.test.ts) and the
 * local Node edge (which imports it). Paths only, no methods: a wrong method on a known path is the
 * service's to answer (405), and keeping the table to paths keeps both edges trivially equal.
 * Order matters as in Envoy: the first matching route wins.
 */

export const UPSTREAM_SERVICES = ['registration', 'authorization', 'token', 'revocation'] as const;
export type UpstreamService = (typeof UPSTREAM_SERVICES)[number];

export type RouteMatch = { readonly path: string } | { readonly prefix: string };

/**
 * Which listener serves a route: `public` is the internet-facing one (TPPs, PSU browsers); `internal`
 * is reachable only from the bank's API namespace (envoy.yaml `edge_internal`, the local edge's
 * EDGE_INTERNAL_PORT) and serves introspection alone, so a token's details never face the internet.
 */
export const EDGE_LISTENERS = ['public', 'internal'] as const;
export type EdgeListener = (typeof EDGE_LISTENERS)[number];

export interface EdgeRoute {
  /** Envoy's `path` (exact, query string ignored) or `prefix`. */
  readonly match: RouteMatch;
  /** Also the Envoy cluster name. */
  readonly service: UpstreamService;
  readonly listener: EdgeListener;
  /**
   * `page`: a PSU's browser reads the answer, so the edge's own replies there (503, 504, ...) are HTML
   * (replies.ts); `api`: OAuth JSON.
   */
  readonly kind: 'api' | 'page';
}

export const EDGE_ROUTES: readonly EdgeRoute[] = [
  // RFC 7591 registration and RFC 7592 management of one client.
  { match: { path: '/oauth2/register' }, service: 'registration', listener: 'public', kind: 'api' },
  { match: { prefix: '/oauth2/register/' }, service: 'registration', listener: 'public', kind: 'api' },
  // The PSU's pages (sandbox sign-in, bank authorization) and the POSTs of their forms, per language.
  { match: { prefix: '/oauth2/fr/' }, service: 'authorization', listener: 'public', kind: 'page' },
  { match: { prefix: '/oauth2/en/' }, service: 'authorization', listener: 'public', kind: 'page' },
  // RFC 9126 pushed authorization requests: the TPP's QWAC is forwarded as for /oauth2/token.
  { match: { path: '/oauth2/par' }, service: 'authorization', listener: 'public', kind: 'api' },
  { match: { path: '/oauth2/token' }, service: 'token', listener: 'public', kind: 'api' },
  {
    match: { path: '/.well-known/oauth-authorization-server' },
    service: 'token',
    listener: 'public',
    kind: 'api',
  },
  { match: { path: '/oauth2/openapi.json' }, service: 'token', listener: 'public', kind: 'api' },
  // The OpenAPI document in Swagger UI, and the files that page loads (all served by the token service).
  { match: { path: '/oauth2/docs' }, service: 'token', listener: 'public', kind: 'api' },
  { match: { prefix: '/oauth2/docs/' }, service: 'token', listener: 'public', kind: 'api' },
  { match: { path: '/oauth2/revoke' }, service: 'revocation', listener: 'public', kind: 'api' },
  // RFC 7662 for the bank's API only: on the public listener this path is the JSON 404.
  { match: { path: '/oauth2/introspect' }, service: 'token', listener: 'internal', kind: 'api' },
];

/** What both edges answer, with status 404, for a path outside the table. */
export const NOT_FOUND_BODY = JSON.stringify({
  error: 'invalid_request',
  error_description: 'No such endpoint.',
});

/** One listener's routes, in order: what its Envoy `route_config` lists before the JSON 404. */
export function routesOf(listener: EdgeListener): readonly EdgeRoute[] {
  return EDGE_ROUTES.filter((route) => route.listener === listener);
}

/**
 * The route for a request path (without its query string) on a listener, as Envoy would pick it from
 * that listener's part of the one table.
 */
export function routeFor(path: string, listener: EdgeListener = 'public'): EdgeRoute | undefined {
  return EDGE_ROUTES.find(
    (route) =>
      route.listener === listener &&
      ('path' in route.match ? route.match.path === path : path.startsWith(route.match.prefix)),
  );
}

/** Whether the edge's own replies for this path are HTML: it is under a page route (all on the public listener). */
export function isPagePath(path: string): boolean {
  return routeFor(path)?.kind === 'page';
}
