import { createHttpApp, type HttpApp, type ReadinessChecks } from '@psd2/http';
import type { Logger } from '@psd2/logging';
import type { PageDependencies } from './flow/dependencies.js';
import { mountPages } from './steps/mount-pages.js';
import { pageCsp } from './web/browser.js';

export interface AuthorizationDependencies extends PageDependencies {
  readonly logger: Logger;
  readonly readiness?: ReadinessChecks;
}

/** The PSU-facing authorization endpoints (RFC 6749 §4.1). Builds the express app; does no I/O. */
export function createAuthorizationApp(deps: AuthorizationDependencies): HttpApp {
  return createHttpApp({
    logger: deps.logger,
    ...(deps.readiness === undefined ? {} : { readiness: deps.readiness }),
    // The default for every response; pages replace it with one that also lets their forms reach the
    // client's redirect URI (helmet's default `form-action 'self'` would block the final redirect).
    helmet: {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: Object.fromEntries(
          pageCsp()
            .split('; ')
            .map((directive) => {
              const [name = '', ...values] = directive.split(' ');
              return [name, values];
            }),
        ),
      },
      strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
      frameguard: { action: 'deny' },
      // Not helmet's `no-referrer`: with it, browsers send `Origin: null` on our own form posts, which the
      // CSRF origin check must refuse. `same-origin` still gives the client's site no Referer at all.
      referrerPolicy: { policy: 'same-origin' },
    },
    routes: (router) => mountPages(router, deps),
  });
}
