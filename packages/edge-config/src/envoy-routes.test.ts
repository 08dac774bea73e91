import { describe, expect, it } from '@jest/globals';
import {
  at,
  clusters,
  connectionManagerOf,
  type Json,
  list,
  listenerNamed,
} from './envoy-yaml.test-support.js';
import { EDGE_LIMITS, ENVOY_INTERNAL_PORT, ENVOY_LISTEN_PORT } from './policy.js';
import {
  type EdgeListener,
  type EdgeRoute,
  NOT_FOUND_BODY,
  routesOf,
  UPSTREAM_SERVICES,
  type UpstreamService,
} from './routes.js';

/* The routes of each Envoy listener against the one table both edges serve (routes.ts). */

const LISTENER_NAMES: Readonly<Record<EdgeListener, string>> = {
  public: 'edge_https',
  internal: 'edge_internal',
};

function routesOfListener(listener: EdgeListener): Json[] {
  return list(
    at(connectionManagerOf(LISTENER_NAMES[listener]), 'route_config', 'virtual_hosts', 0, 'routes'),
  );
}

const proxiedRoutes = (Object.keys(LISTENER_NAMES) as EdgeListener[]).flatMap((listener) =>
  routesOfListener(listener).filter(
    (route) => typeof route === 'object' && route !== null && 'route' in route,
  ),
);

describe.each(Object.entries(LISTENER_NAMES) as [EdgeListener, string][])(
  'envoy/envoy.yaml routes of the %s listener (%s)',
  (listener) => {
    const routes = routesOfListener(listener);

    it('are its part of the shared route table, in order, then the JSON 404', () => {
      const proxied = routes.slice(0, -1).map((route) => ({
        match: at(route, 'match') as EdgeRoute['match'],
        service: at(route, 'route', 'cluster') as UpstreamService,
      }));
      expect(proxied).toEqual(routesOf(listener).map(({ match, service }) => ({ match, service })));
      const fallback = routes.at(-1);
      expect(at(fallback, 'match')).toEqual({ prefix: '/' });
      expect(at(fallback, 'direct_response', 'status')).toBe(404);
      expect(at(fallback, 'direct_response', 'body', 'inline_string')).toBe(NOT_FOUND_BODY);
    });
  },
);

describe('envoy/envoy.yaml listeners and routes', () => {
  it('puts the internal listener on its own port, with the public TLS settings', () => {
    expect(at(listenerNamed('edge_https'), 'address', 'socket_address', 'port_value')).toBe(
      ENVOY_LISTEN_PORT,
    );
    expect(at(listenerNamed('edge_internal'), 'address', 'socket_address', 'port_value')).toBe(
      ENVOY_INTERNAL_PORT,
    );
    // The bank's API presents its QWAC there as TPPs do on the public one: same validation, same XFCC.
    expect(at(listenerNamed('edge_internal'), 'filter_chains', 0, 'transport_socket')).toEqual(
      at(listenerNamed('edge_https'), 'filter_chains', 0, 'transport_socket'),
    );
    const internal = connectionManagerOf('edge_internal');
    expect(at(internal, 'forward_client_cert_details')).toBe('SANITIZE_SET');
    expect(at(internal, 'use_remote_address')).toBe(true);
  });

  it('serves introspection on the internal listener alone', () => {
    const paths = (listener: EdgeListener) =>
      routesOfListener(listener).map((route) => JSON.stringify(at(route, 'match')));
    expect(paths('internal')).toEqual([
      JSON.stringify({ path: '/oauth2/introspect' }),
      JSON.stringify({ prefix: '/' }),
    ]);
    expect(paths('public').join()).not.toContain('introspect');
  });

  it('retries on every route only what never reached a service, never a reset', () => {
    expect(proxiedRoutes.length).toBe(routesOf('public').length + routesOf('internal').length);
    for (const route of proxiedRoutes) {
      expect(at(route, 'route', 'timeout')).toBe(`${EDGE_LIMITS.routeTimeoutSeconds}s`);
      expect(at(route, 'route', 'retry_policy', 'retry_on')).toBe('connect-failure,refused-stream');
      expect(at(route, 'route', 'retry_policy', 'num_retries')).toBe(2);
    }
    const token = proxiedRoutes.filter((route) => at(route, 'route', 'cluster') === 'token');
    expect(token.length).toBeGreaterThan(0);
    for (const route of token) {
      expect(JSON.stringify(at(route, 'route'))).not.toMatch(
        /reset|5xx|retriable-status-codes|gateway-error/,
      );
    }
  });

  it('has no retry policy at the virtual host level that could add to the routes', () => {
    for (const name of Object.values(LISTENER_NAMES)) {
      const host = at(connectionManagerOf(name), 'route_config', 'virtual_hosts', 0) as Record<string, Json>;
      expect(host.retry_policy).toBeUndefined();
    }
  });

  it('send each service to a cluster of its own', () => {
    const names = clusters.map((cluster) => at(cluster, 'name'));
    for (const service of UPSTREAM_SERVICES) expect(names).toContain(service);
  });
});
