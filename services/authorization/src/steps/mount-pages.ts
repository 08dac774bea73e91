import type { Request, Response, Router } from '@psd2/http';
import { PageError } from '../authorize/errors.js';
import { type PageDependencies, paths } from '../flow/dependencies.js';
import { LANGUAGES } from '../html/messages.js';
import { STYLESHEET } from '../html/style.js';
import { browserErrorHandler } from '../web/error-handler.js';
import { mountAuthorizationRequest } from './authorization-request.js';
import { mountConsent } from './consent.js';
import { mountOneTimeCode } from './one-time-code.js';
import { mountPassword } from './password.js';
import { mountSandboxPicker } from './sandbox-picker.js';

/** The browser's pages, in each language: the two authorization endpoints and every step after them. */
export function mountPages(router: Router, deps: PageDependencies): void {
  for (const lang of LANGUAGES) {
    router.get(paths(lang).stylesheet, (_req: Request, res: Response) => {
      res
        .set({ 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' })
        .send(STYLESHEET);
    });
    mountAuthorizationRequest(router, lang, deps);
    mountSandboxPicker(router, lang, deps);
    mountPassword(router, lang, deps);
    mountOneTimeCode(router, lang, deps);
    mountConsent(router, lang, deps);
    // Anything else under the language prefix is this service's: answer a browser in HTML.
    router.all(`/oauth2/${lang}/*rest`, () => {
      throw new PageError('not_found', 404, 'no such page');
    });
  }
  router.use(browserErrorHandler({ issuer: deps.issuer, sandbox: deps.mode === 'sandbox' }));
}
