import { createHttpApp, type HttpApp } from '@psd2/http';
import type { Logger } from '@psd2/logging';

export interface AuthorizationDependencies {
  readonly logger: Logger;
}

/** The PSU-facing authorization endpoints (RFC 6749 §4.1). Builds the express app; does no I/O. */
export function createAuthorizationApp(deps: AuthorizationDependencies): HttpApp {
  return createHttpApp({
    logger: deps.logger,
    routes: () => {
      // The endpoints arrive with their issue; until then the service answers its health checks.
    },
  });
}
