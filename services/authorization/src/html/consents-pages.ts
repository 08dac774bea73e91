import { formatAmount, paymentActionOf } from '@psd2/payment-details';
import type { CustomerGrant } from '../consents/customer-grants.js';
import { html, type SafeHtml } from './html.js';
import type { Messages } from './messages.js';
import {
  csrfField,
  errorBox,
  layout,
  otpFields,
  type PageFrame,
  psuPicker,
  type SandboxPsuView,
  signInFields,
} from './pages.js';

/*
 * The customer's consent page (issue 18): sign-in, the list of active consents, the withdrawal's
 * confirmation, the signed-out page. No script: every action is a real form with a real button, every
 * control labelled; the list is one column of cards that reads at 360 px.
 */

/** The field (query or form) naming the consent a withdrawal is about. */
export const GRANT_FIELD = 'grant_id';

export interface ConsentsSignInView {
  readonly action: string;
  readonly csrf: string;
  readonly error?: string | undefined;
}

export function consentsSignInPage(frame: PageFrame, view: ConsentsSignInView): string {
  const { m } = frame;
  const body = html`<p>${m.consents.signInIntro}</p>
${errorBox(view.error)}
<form method="post" action="${view.action}">
${csrfField(view.csrf)}
${signInFields(m, view.error)}
<div class="actions"><button type="submit" class="primary">${m.continue}</button></div>
</form>
<p class="muted">${m.sessionHint}</p>`;
  return layout(frame, m.consents.signInTitle, body);
}

export function consentsOtpPage(
  frame: PageFrame,
  view: ConsentsSignInView & { readonly signOutAction: string },
): string {
  const { m } = frame;
  const body = html`<p>${m.otpIntro}</p>
<form method="post" action="${view.action}">
${csrfField(view.csrf)}
${otpFields(m)}
<div class="actions"><button type="submit" class="primary">${m.verify}</button></div>
</form>
${signOutForm(m, view.signOutAction, view.csrf)}
<p class="muted">${m.sessionHint}</p>`;
  return layout(frame, m.otpTitle, body);
}

/** Sandbox: the simulated customer picker, never the bank's sign-in. */
export function consentsSandboxPage(
  frame: PageFrame,
  view: ConsentsSignInView & { readonly psus: readonly SandboxPsuView[] },
): string {
  const { m } = frame;
  const body = html`<p>${m.consents.sandboxIntro}</p>
${errorBox(view.error)}
<form method="post" action="${view.action}">
${csrfField(view.csrf)}
${psuPicker(m, view.psus)}
<div class="actions"><button type="submit" class="primary">${m.consents.signInAs}</button></div>
</form>`;
  return layout(frame, m.consents.signInTitle, body);
}

export interface ConsentsListView {
  readonly psuName: string;
  readonly grants: readonly CustomerGrant[];
  /** The TPP whose access was just withdrawn: the status message. */
  readonly withdrawn?: string | undefined;
  readonly csrf: string;
  readonly signOutAction: string;
  readonly withdrawalPath: string;
}

export function consentsListPage(frame: PageFrame, view: ConsentsListView): string {
  const { m } = frame;
  const c = m.consents;
  const body = html`<p>${m.signedInAs(view.psuName)}</p>
<div role="status">${view.withdrawn === undefined ? '' : html`<p class="notice">${c.withdrawn(view.withdrawn)}</p>`}</div>
<p>${c.intro}</p>
${
  view.grants.length === 0
    ? html`<p class="card">${c.none}</p>`
    : html`<ul class="grants">${view.grants.map(
        (grant, index) => html`<li class="card">
<h2 id="grant-${index}">${c.grantHeading(grant.tppName)}</h2>
${grantFacts(frame, grant)}
<form method="get" action="${view.withdrawalPath}">
<input type="hidden" name="${GRANT_FIELD}" value="${grant.grantId}">
<div class="actions"><button type="submit" class="secondary" aria-label="${c.withdrawLabel(grant.tppName)}">${c.withdraw}</button></div>
</form>
</li>`,
      )}</ul>`
}
${signOutForm(m, view.signOutAction, view.csrf)}
<p class="muted">${m.sessionHint}</p>`;
  return layout(frame, c.title, body);
}

export function withdrawalConfirmPage(
  frame: PageFrame,
  view: {
    readonly grant: CustomerGrant;
    readonly action: string;
    readonly csrf: string;
    readonly listPath: string;
  },
): string {
  const { m } = frame;
  const c = m.consents;
  const body = html`<p>${c.confirmIntro(view.grant.tppName)}</p>
<section class="card" aria-labelledby="grant-heading">
<h2 id="grant-heading">${view.grant.tppName}</h2>
${grantFacts(frame, view.grant)}
</section>
<p>${c.confirmEffect}</p>
<form method="post" action="${view.action}">
${csrfField(view.csrf)}
<input type="hidden" name="${GRANT_FIELD}" value="${view.grant.grantId}">
<div class="actions"><button type="submit" class="primary">${c.confirmWithdraw}</button></div>
</form>
<form class="inline" method="get" action="${view.listPath}">
<div class="actions"><button type="submit" class="secondary">${c.keep}</button></div>
</form>`;
  return layout(frame, c.confirmTitle, body);
}

export function signedOutPage(frame: PageFrame, view: { readonly signInPath: string }): string {
  const { m } = frame;
  const body = html`<p role="status">${m.consents.signedOut}</p>
<p><a href="${view.signInPath}">${m.consents.signInAgain}</a></p>`;
  return layout(frame, m.consents.signedOutTitle, body);
}

function signOutForm(m: Messages, action: string, csrf: string): SafeHtml {
  return html`<form class="inline" method="post" action="${action}">
${csrfField(csrf)}
<div class="actions"><button type="submit" class="secondary">${m.consents.signOut}</button></div>
</form>`;
}

/** Who, what, since and until when, last used: dates in the bank's time zone (Europe/Paris). */
function grantFacts(frame: PageFrame, grant: CustomerGrant): SafeHtml {
  const c = frame.m.consents;
  const at = (seconds: number) => c.formatDateTime(new Date(seconds * 1000));
  return html`<dl>
<dt>${c.organisation}</dt><dd>${grant.organizationName} <span class="muted">(${grant.organizationId})</span></dd>
<dt>${c.access}</dt><dd><ul class="access">${accessOf(frame, grant).map((line) => html`<li>${line}</li>`)}</ul></dd>
<dt>${c.grantedOn}</dt><dd>${at(grant.grantedAt)}</dd>
<dt>${c.expiresOn}</dt><dd>${at(grant.expiresAt)}</dd>
<dt>${c.lastUsed}</dt><dd>${grant.lastUsedAt === undefined ? c.neverUsed : at(grant.lastUsedAt)}</dd>
</dl>`;
}

/** The access in plain words: a payment consent is its payment, anything else its scopes. */
function accessOf(frame: PageFrame, grant: CustomerGrant): string[] {
  const c = frame.m.consents;
  const { payment } = grant;
  if (payment !== undefined) {
    const amount = formatAmount(payment.instructedAmount, frame.lang);
    return [c.paymentAccess(amount, payment.creditorName, paymentActionOf(payment) === 'cancel')];
  }
  return grant.scopes.map((scope) => c.scopes[scope] ?? scope);
}
