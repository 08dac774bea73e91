import { acceptBody, type Request, type Response, type Router } from '@psd2/http';
import { PageError } from '../authorize/errors.js';
import { type PageDependencies, paths, requireFlow } from '../flow/dependencies.js';
import { finishDecided } from '../flow/finish.js';
import { expiresOn, pageFrame, scopesOf } from '../flow/page-view.js';
import { formField, loadPostedSession } from '../flow/session-access.js';
import { sendStagePage } from '../flow/stage-page.js';
import type { Lang } from '../html/messages.js';
import { consentPage } from '../html/pages.js';
import { deny, grant } from '../session/transitions.js';

/*
 * The bank's consent: the authenticated PSU grants (a code to the client) or denies (access_denied).
 * Every step's Cancel posts here too: denying needs no authentication.
 */

export function mountConsent(router: Router, lang: Lang, deps: PageDependencies): void {
  const p = paths(lang);
  router.get(p.bankConsent, (req: Request, res: Response) =>
    sendStagePage(deps, req, res, { lang, stage: 'authenticated' }, (session) =>
      consentPage(pageFrame(deps, session.lang), {
        client: session.client,
        scopes: scopesOf(session),
        expiresOn: expiresOn(session.lang, session.authTime),
        psuName: session.psu.displayName,
        action: paths(session.lang).bankConsent,
        csrf: session.csrf,
      }),
    ),
  );

  router.post(p.bankConsent, ...acceptBody('form'), async (req: Request, res: Response) => {
    requireFlow(deps, 'bank');
    const { id, session } = await loadPostedSession(deps, req, 'bank');
    if (formField(req.body, 'decision') !== 'grant') {
      await finishDecided(deps, res, id, deny(session));
      return;
    }
    if (session.stage !== 'authenticated') {
      throw new PageError('bad_request', 400, 'consent posted before authentication');
    }
    await finishDecided(deps, res, id, grant(session));
  });
}
