import { createHttpApp, type HttpApp, type ReadinessChecks } from '@psd2/http';
import type { Logger } from '@psd2/logging';
import helmet, { type HelmetOptions } from 'helmet';
import type { PageDependencies } from './flow/dependencies.js';
import { pageEndpoints } from './steps/page-endpoints.js';
import { pageCsp } from './web/browser.js';
import { pageErrorRenderer, pageErrorsOutsideEndpoints } from './web/error-handler.js';

export interface AuthorizationDependencies extends PageDependencies {
  readonly logger: Logger;
  readonly readiness?: ReadinessChecks;
}

const PAGE_HEADERS: HelmetOptions = {
  // The default for every response; pages replace it with one that also lets their forms reach the
  // client's redirect URI (helmet's default `form-action 'self'` would block the final redirect).
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
};

/** The PSU-facing authorization endpoints (RFC 6749 §4.1). Builds the express app; does no I/O. */
export function createAuthorizationApp(deps: AuthorizationDependencies): HttpApp {
  const renderPageError = pageErrorRenderer({ issuer: deps.issuer, sandbox: deps.mode === 'sandbox' });
  return createHttpApp({
    logger: deps.logger,
    ...(deps.readiness === undefined ? {} : { readiness: deps.readiness }),
    helmet: PAGE_HEADERS,
    endpoints: pageEndpoints(deps),
    renderPageError,
    routes: (router) => router.use(pageErrorsOutsideEndpoints(renderPageError, helmet(PAGE_HEADERS))),
  });
}
