import { createHttpApp, type HttpApp } from '@psd2/http';
import type { Logger } from '@psd2/logging';

export interface TokenDependencies {
  readonly logger: Logger;
}

/** Token endpoint (RFC 6749), introspection (RFC 7662) and server metadata (RFC 8414). Builds the express app; does no I/O. */
export function createTokenApp(deps: TokenDependencies): HttpApp {
  return createHttpApp({
    logger: deps.logger,
    routes: () => {
      // The endpoints arrive with their issue; until then the service answers its health checks.
    },
  });
}
