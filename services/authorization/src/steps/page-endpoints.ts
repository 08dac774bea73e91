import { defineEndpoint, type Endpoint, text } from '@psd2/http';
import { type PageDependencies, paths } from '../flow/dependencies.js';
import { LANGUAGES, type Lang } from '../html/messages.js';
import { STYLESHEET } from '../html/style.js';
import { authorizationRequestEndpoints } from './authorization-request.js';
import { consentEndpoints } from './consent.js';
import { consentsPageEndpoints } from './consents-page.js';
import { consentsSignInEndpoints } from './consents-sign-in.js';
import { withdrawalEndpoints } from './consents-withdrawal.js';
import { oneTimeCodeEndpoints } from './one-time-code.js';
import { passwordEndpoints } from './password.js';
import { sandboxPickerEndpoints } from './sandbox-picker.js';

/**
 * The browser's pages, in each language: the two authorization endpoints and every step after them,
 * and the customer's consent page.
 */
export function pageEndpoints(deps: PageDependencies): Endpoint[] {
  return LANGUAGES.flatMap((lang) => [
    stylesheet(lang),
    ...authorizationRequestEndpoints(lang, deps),
    ...sandboxPickerEndpoints(lang, deps),
    ...passwordEndpoints(lang, deps),
    ...oneTimeCodeEndpoints(lang, deps),
    ...consentEndpoints(lang, deps),
    ...consentsPageEndpoints(lang, deps),
    ...consentsSignInEndpoints(lang, deps),
    ...withdrawalEndpoints(lang, deps),
  ]);
}

function stylesheet(lang: Lang): Endpoint {
  return defineEndpoint({
    method: 'GET',
    path: paths(lang).stylesheet,
    response: 'page',
    handle: async () =>
      text(STYLESHEET, 'text/css; charset=utf-8', { headers: { 'Cache-Control': 'public, max-age=3600' } }),
  });
}
