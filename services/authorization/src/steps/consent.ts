import type { Endpoint } from '@psd2/http';
import { PageError } from '../authorize/errors.js';
import { type PageDependencies, paths } from '../flow/dependencies.js';
import { finishDecided } from '../flow/finish.js';
import { formStep, type StepHandler } from '../flow/form-step.js';
import { expiresOn, pageFrame, scopesOf } from '../flow/page-view.js';
import { stagePageEndpoint } from '../flow/stage-page.js';
import type { Lang } from '../html/messages.js';
import { consentPage } from '../html/pages.js';
import type { Authenticated } from '../session/session.js';
import { deny, grant } from '../session/transitions.js';

/*
 * The bank's consent: the authenticated PSU grants (a code to the client) or denies (access_denied).
 * Every step's Cancel posts here too: denying needs no authentication.
 */

export function consentEndpoints(lang: Lang, deps: PageDependencies): Endpoint[] {
  const path = paths(lang).bankConsent;
  const page = stagePageEndpoint(deps, { path, lang, stage: 'authenticated' }, (s) => consentHtml(deps, s));
  return [page, formStep(deps, { path, flow: 'bank', fields: ['decision'], handle: decide(deps) })];
}

function consentHtml(deps: PageDependencies, session: Authenticated): string {
  return consentPage(pageFrame(deps, session.lang), {
    client: session.client,
    scopes: scopesOf(session),
    expiresOn: expiresOn(session.lang, session.authTime),
    psuName: session.psu.displayName,
    action: paths(session.lang).bankConsent,
    csrf: session.csrf,
    payment: session.request.payment?.detail,
  });
}

function decide(deps: PageDependencies): StepHandler<'bank', 'decision'> {
  return async (request, form, { id, session }) => {
    if (form.decision !== 'grant') return finishDecided(deps, request, id, deny(session));
    if (session.stage !== 'authenticated') {
      throw new PageError('bad_request', 400, 'consent posted before authentication');
    }
    return finishDecided(deps, request, id, grant(session));
  };
}
