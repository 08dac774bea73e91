import type { Endpoint, PageResult, ResultHeaders } from '@psd2/http';
import { nowSeconds, type PageDependencies, paths } from '../flow/dependencies.js';
import { finishDecided } from '../flow/finish.js';
import { formStep, type StepHandler } from '../flow/form-step.js';
import { expiresOn, flowPage, pageFrame, scopesOf } from '../flow/page-view.js';
import { type Lang, messagesFor } from '../html/messages.js';
import { sandboxPage } from '../html/pages.js';
import type { Started } from '../session/session.js';
import { deny, grantAs } from '../session/transitions.js';

/*
 * The sandbox's one page: the tester picks a seeded PSU and grants or denies; no real sign-in.
 */

const SANDBOX_PSU_LIMIT = 20;

/** The picker; with `error`, the 400 page of a post that named no known PSU. */
export async function sandboxPicker(
  deps: PageDependencies,
  session: Started<'sandbox'>,
  options: { readonly error?: string; readonly headers?: ResultHeaders } = {},
): Promise<PageResult> {
  const psus = await deps.psus.listPsus(SANDBOX_PSU_LIMIT);
  const html = sandboxPage(pageFrame(deps, session.lang), {
    client: session.client,
    scopes: scopesOf(session),
    expiresOn: expiresOn(session.lang, nowSeconds(deps)),
    psus,
    action: paths(session.lang).sandboxDecision,
    csrf: session.csrf,
    error: options.error,
    payment: session.request.payment?.detail,
  });
  return flowPage(options.error === undefined ? 200 : 400, html, session, options.headers);
}

export function sandboxPickerEndpoints(lang: Lang, deps: PageDependencies): Endpoint[] {
  const path = paths(lang).sandboxDecision;
  return [formStep(deps, { path, flow: 'sandbox', fields: ['decision', 'psu'], handle: decide(deps) })];
}

/** Grant as the picked PSU, or deny; a PSU the directory does not know is asked for again. */
function decide(deps: PageDependencies): StepHandler<'sandbox', 'decision' | 'psu'> {
  return async (request, form, { id, session }) => {
    if (form.decision !== 'grant') return finishDecided(deps, request, id, deny(session));
    const psu = await deps.psus.findPsu(form.psu ?? '');
    if (psu === undefined) return sandboxPicker(deps, session, { error: messagesFor(session.lang).noPsu });
    return finishDecided(deps, request, id, grantAs(session, psu, nowSeconds(deps)));
  };
}
