import {
  defineEndpoint,
  type Endpoint,
  type EndpointResult,
  type PageResult,
  type RequestBasics,
  redirect,
} from '@psd2/http';
import { customerGrants } from '../consents/customer-grants.js';
import { type PageDependencies, paths } from '../flow/dependencies.js';
import { formStep } from '../flow/form-step.js';
import { pageFrame } from '../flow/page-view.js';
import { cookieOfFlow, liveSession } from '../flow/session-access.js';
import { consentsListPage, signedOutPage } from '../html/consents-pages.js';
import type { Lang } from '../html/messages.js';
import { withNotice } from '../session/consents-transitions.js';
import type { ConsentsSignedIn } from '../session/session.js';
import { clearedSessionCookie } from '../web/browser.js';
import { consentsPage, consentsSignInStep, openConsentsSession } from './consents-view.js';

/*
 * `GET /oauth2/{lang}/banque/autorisations` (issue 18): the customer's active consents once signed in,
 * otherwise the sign-in (a session of the consent page's own purpose). And the sign-out.
 */

export function consentsPageEndpoints(lang: Lang, deps: PageDependencies): Endpoint[] {
  const p = paths(lang);
  return [
    defineEndpoint({
      method: 'GET',
      path: p.consents,
      response: 'page',
      handle: (ctx) => showConsents(deps, lang, ctx),
    }),
    formStep(deps, {
      path: p.consentsSignOut,
      flow: 'consents',
      fields: [],
      handle: async (request, _form, { id }) => {
        await deps.sessions.destroy(id);
        request.fields.consents = 'signed_out';
        const body = signedOutPage(pageFrame(deps, lang), { signInPath: p.consents });
        return consentsPage(200, body, { 'Set-Cookie': clearedSessionCookie(cookieOfFlow('consents')) });
      },
    }),
  ];
}

async function showConsents(
  deps: PageDependencies,
  lang: Lang,
  request: RequestBasics,
): Promise<EndpointResult> {
  const live = await liveSession(deps, request, 'consents');
  const session = live?.session;
  if (live !== undefined && session?.stage === 'authenticated') return listOf(deps, lang, live.id, session);
  if (session?.stage === 'password_checked') return redirect(303, paths(lang).consentsOtp);
  if (session?.stage === 'started') return consentsSignInStep(deps, session, lang);
  const opened = await openConsentsSession(deps, request, lang);
  return consentsSignInStep(deps, opened.session, lang, { headers: opened.headers });
}

async function listOf(
  deps: PageDependencies,
  lang: Lang,
  id: string,
  session: ConsentsSignedIn,
): Promise<PageResult> {
  const grants = await customerGrants(deps, session.psu.psuId, lang);
  // The withdrawal's status message is shown once, on the list it redirected to.
  if (session.notice !== undefined) await deps.sessions.save(id, withNotice(session, undefined));
  const p = paths(lang);
  const body = consentsListPage(pageFrame(deps, lang), {
    psuName: session.psu.displayName,
    grants,
    withdrawn: session.notice?.withdrawn,
    csrf: session.csrf,
    signOutAction: p.consentsSignOut,
    withdrawalPath: p.consentsWithdrawal,
  });
  return consentsPage(200, body);
}
