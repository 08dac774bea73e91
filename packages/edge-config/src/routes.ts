/*
 * The one route table both edges serve: envoy/envoy.yaml (checked by envoy-config.test.ts) and the
 * local Node edge (which imports it). Paths only, no methods: a wrong method on a known path is the
 * service's to answer (405), and keeping the table to paths keeps both edges trivially equal.
 * Order matters as in Envoy: the first matching route wins.
 */

export const UPSTREAM_SERVICES = ['registration', 'authorization', 'token', 'revocation'] as const;
export type UpstreamService = (typeof UPSTREAM_SERVICES)[number];

export type RouteMatch = { readonly path: string } | { readonly prefix: string };

export interface EdgeRoute {
  /** Envoy's `path` (exact, query string ignored) or `prefix`. */
  readonly match: RouteMatch;
  /** Also the Envoy cluster name. */
  readonly service: UpstreamService;
}

export const EDGE_ROUTES: readonly EdgeRoute[] = [
  // RFC 7591 registration and RFC 7592 management of one client.
  { match: { path: '/oauth2/register' }, service: 'registration' },
  { match: { prefix: '/oauth2/register/' }, service: 'registration' },
  // The PSU's pages (sandbox sign-in, bank authorization) and the POSTs of their forms, per language.
  { match: { prefix: '/oauth2/fr/' }, service: 'authorization' },
  { match: { prefix: '/oauth2/en/' }, service: 'authorization' },
  // RFC 9126 pushed authorization requests: the TPP's QWAC is forwarded as for /oauth2/token.
  { match: { path: '/oauth2/par' }, service: 'authorization' },
  { match: { path: '/oauth2/token' }, service: 'token' },
  { match: { path: '/oauth2/introspect' }, service: 'token' },
  { match: { path: '/.well-known/oauth-authorization-server' }, service: 'token' },
  { match: { path: '/oauth2/openapi.json' }, service: 'token' },
  // The OpenAPI document in Swagger UI, and the files that page loads (all served by the token service).
  { match: { path: '/oauth2/docs' }, service: 'token' },
  { match: { prefix: '/oauth2/docs/' }, service: 'token' },
  { match: { path: '/oauth2/revoke' }, service: 'revocation' },
];

/** What both edges answer, with status 404, for a path outside the table. */
export const NOT_FOUND_BODY = JSON.stringify({
  error: 'invalid_request',
  error_description: 'No such endpoint.',
});

/** The route for a request path (without its query string), as Envoy would pick it from the one table. */
export function routeFor(path: string): EdgeRoute | undefined {
  return EDGE_ROUTES.find((route) =>
    'path' in route.match ? route.match.path === path : path.startsWith(route.match.prefix),
  );
}
