import { createHttpApp, type HttpApp } from '@psd2/http';
import type { Logger } from '@psd2/logging';

export interface RevocationDependencies {
  readonly logger: Logger;
}

/** Token revocation (RFC 7009). Builds the express app; does no I/O. */
export function createRevocationApp(deps: RevocationDependencies): HttpApp {
  return createHttpApp({
    logger: deps.logger,
    routes: () => {
      // The endpoints arrive with their issue; until then the service answers its health checks.
    },
  });
}
