import type { ClientCertificateResolver } from '@psd2/certificates';
import { createHttpApp, type HttpApp, type HttpAppOptions, type ReadinessChecks } from '@psd2/http';
import type { Logger } from '@psd2/logging';
import { PageError } from './authorize/errors.js';
import type { PageDependencies, PageTokenStore } from './flow/dependencies.js';
import { LANGUAGES } from './html/messages.js';
import { type PushedAuthorizationDependencies, pushedAuthorizationEndpoint } from './par/par-endpoint.js';
import { pageEndpoints } from './steps/page-endpoints.js';
import { pageCsp } from './web/browser.js';
import { pageErrorRenderer, pageErrorsOutsideEndpoints } from './web/error-handler.js';

export interface AuthorizationDependencies extends PageDependencies {
  readonly logger: Logger;
  readonly readiness?: ReadinessChecks;
  readonly tokenStore: PageTokenStore & PushedAuthorizationDependencies['tokenStore'];
  /** The QWAC of a request to /oauth2/par, as the edge forwarded it. */
  readonly certificates: ClientCertificateResolver;
  /** How long the customer has to approve a pushed payment (seconds). */
  readonly paymentRequestSeconds: number;
}

const PAGE_HEADERS: NonNullable<HttpAppOptions['helmet']> = {
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

/** The PSU-facing authorization endpoints (RFC 6749 §4.1) and /oauth2/par (RFC 9126). Builds the express app; does no I/O. */
export function createAuthorizationApp(deps: AuthorizationDependencies): HttpApp {
  const renderPageError = pageErrorRenderer({ issuer: deps.issuer, sandbox: deps.mode === 'sandbox' });
  return createHttpApp({
    logger: deps.logger,
    ...(deps.readiness === undefined ? {} : { readiness: deps.readiness }),
    helmet: PAGE_HEADERS,
    endpoints: [pushedAuthorizationEndpoint(deps), ...pageEndpoints(deps)],
    renderPageError,
    routes: (router) => {
      // Anything else under a language prefix is this service's: the HTML 404. A plain route, not an
      // endpoint: an undecodable path fails in the router while matching its wildcard, and only the
      // error handler beside it answers that with the page rather than the API's JSON.
      for (const lang of LANGUAGES) {
        router.all(`/oauth2/${lang}/*rest`, () => {
          throw new PageError('not_found', 404, 'no such page');
        });
      }
      router.use(pageErrorsOutsideEndpoints(renderPageError));
    },
  });
}
