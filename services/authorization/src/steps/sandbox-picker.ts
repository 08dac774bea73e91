import { acceptBody, type Request, type Response, type Router } from '@psd2/http';
import { nowSeconds, type PageDependencies, paths, requireFlow } from '../flow/dependencies.js';
import { finishDecided } from '../flow/finish.js';
import { expiresOn, pageFrame, scopesOf, sendFlowPage } from '../flow/page-view.js';
import { formField, loadPostedSession } from '../flow/session-access.js';
import { type Lang, messagesFor } from '../html/messages.js';
import { sandboxPage } from '../html/pages.js';
import type { Started } from '../session/session.js';
import { deny, grantAs } from '../session/transitions.js';

/*
 * The sandbox's one page: the tester picks a seeded PSU and grants or denies; no real sign-in.
 */

const SANDBOX_PSU_LIMIT = 20;

/** The picker; with `error`, the 400 page of a post that named no known PSU. */
export async function sendSandboxPicker(
  deps: PageDependencies,
  res: Response,
  session: Started<'sandbox'>,
  error?: string,
): Promise<void> {
  const psus = await deps.psus.listPsus(SANDBOX_PSU_LIMIT);
  const html = sandboxPage(pageFrame(deps, session.lang), {
    client: session.client,
    scopes: scopesOf(session),
    expiresOn: expiresOn(session.lang, nowSeconds(deps)),
    psus,
    action: paths(session.lang).sandboxDecision,
    csrf: session.csrf,
    ...(error === undefined ? {} : { error }),
  });
  sendFlowPage(res, error === undefined ? 200 : 400, html, session);
}

export function mountSandboxPicker(router: Router, lang: Lang, deps: PageDependencies): void {
  router.post(paths(lang).sandboxDecision, ...acceptBody('form'), async (req: Request, res: Response) => {
    requireFlow(deps, 'sandbox');
    const { id, session } = await loadPostedSession(deps, req, 'sandbox');
    if (formField(req.body, 'decision') !== 'grant') {
      await finishDecided(deps, res, id, deny(session));
      return;
    }
    const psu = await deps.psus.findPsu(formField(req.body, 'psu') ?? '');
    if (psu === undefined) {
      await sendSandboxPicker(deps, res, session, messagesFor(session.lang).noPsu);
      return;
    }
    await finishDecided(deps, res, id, grantAs(session, psu, nowSeconds(deps)));
  });
}
