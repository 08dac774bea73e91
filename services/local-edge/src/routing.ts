import type http from 'node:http';
import { type EdgeListener, routeFor, type UpstreamService } from '@psd2/edge-config';
import { EDGE_REPLIES, type EdgeReply } from './edge-replies.js';
import { hasUnderscoreName } from './request-headers.js';
import { normalisedTarget, type Target } from './target.js';

/** Where a request goes: refused as Envoy would refuse it, or its normalised target and service. */
export type Routing =
  | { readonly refused: EdgeReply; readonly target: Target | undefined }
  | { readonly refused: undefined; readonly target: Target; readonly service: UpstreamService };

/**
 * Routes by EDGE_ROUTES, the one table envoy.yaml is checked against (packages/edge-config): the local
 * edge takes no table of its own, so the two cannot drift apart. Each listener serves its own part of
 * it: introspection only on the internal one, and there the JSON 404 for everything else.
 */
export function routeRequest(request: http.IncomingMessage, listener: EdgeListener = 'public'): Routing {
  const target = normalisedTarget(request.url ?? '');
  // Envoy: headers_with_underscores_action REJECT_REQUEST; escaped slashes refused.
  if (target === undefined || hasUnderscoreName(request.rawHeaders)) {
    return { refused: EDGE_REPLIES.malformed, target };
  }
  const route = routeFor(target.path, listener);
  if (route === undefined) return { refused: EDGE_REPLIES.notFound, target };
  return { refused: undefined, target, service: route.service };
}
