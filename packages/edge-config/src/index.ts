export {
  EDGE_HEALTH,
  EDGE_LIMITS,
  EDGE_TLS_POLICY,
  ENVOY_INTERNAL_PORT,
  ENVOY_LISTEN_PORT,
  ENVOY_TLS_FILES,
} from './policy.js';
export {
  EDGE_REPLY_TEXTS,
  type EdgeReplyName,
  HTML_CONTENT_TYPE,
  htmlReplyBody,
  JSON_CONTENT_TYPE,
  jsonReplyBody,
} from './replies.js';
export {
  EDGE_LISTENERS,
  EDGE_ROUTES,
  type EdgeListener,
  type EdgeRoute,
  isPagePath,
  NOT_FOUND_BODY,
  type RouteMatch,
  routeFor,
  routesOf,
  UPSTREAM_SERVICES,
  type UpstreamService,
} from './routes.js';
export { DEFAULT_EDGE_PORT, edgeSettings, issuerSettings, publicIssuer } from './settings.js';
