import { createHttpApp, type HttpApp } from '@psd2/http';
import type { Logger } from '@psd2/logging';

export interface RegistrationDependencies {
  readonly logger: Logger;
}

/** RFC 7591 registration and RFC 7592 management of OAuth clients. Builds the express app; does no I/O. */
export function createRegistrationApp(deps: RegistrationDependencies): HttpApp {
  return createHttpApp({
    logger: deps.logger,
    routes: () => {
      // The endpoints arrive with their issue; until then the service answers its health checks.
    },
  });
}
