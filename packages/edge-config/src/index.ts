export { EDGE_HEALTH, EDGE_LIMITS, EDGE_TLS_POLICY, ENVOY_LISTEN_PORT, ENVOY_TLS_FILES } from './policy.js';
export {
  EDGE_ROUTES,
  type EdgeRoute,
  NOT_FOUND_BODY,
  type RouteMatch,
  routeFor,
  UPSTREAM_SERVICES,
  type UpstreamService,
} from './routes.js';
export { DEFAULT_EDGE_PORT, edgeSettings, issuerSettings, publicIssuer } from './settings.js';
