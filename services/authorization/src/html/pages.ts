import type { PaymentInitiationDetail } from '@psd2/payment-details';
import { html, type SafeHtml } from './html.js';
import type { Lang, Messages, PageErrorKind } from './messages.js';
import { paymentCard, paymentSummary } from './payment.js';

/*
 * Server-rendered pages. No script at all; every form field has a label; the layout is one column
 * that reads on a phone. Values reach the markup only through `html`, which escapes them.
 */

export interface PageFrame {
  readonly lang: Lang;
  readonly m: Messages;
  /** Shows the sandbox banner: testers must never mistake the sandbox for the bank. */
  readonly sandbox: boolean;
}

export interface ClientView {
  readonly name: string;
  readonly organizationId: string;
  readonly organizationName: string;
  readonly ncaId: string;
}

export const CSRF_FIELD = 'csrf_token';

export function layout(frame: PageFrame, title: string, body: SafeHtml): string {
  const { lang, m } = frame;
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ${m.bankName}</title>
<link rel="stylesheet" href="/oauth2/${lang}/static/authorize.css">
</head>
<body>
<a class="skip" href="#main">${m.skipToContent}</a>
<header><p>${m.bankName}</p></header>
${frame.sandbox ? html`<p class="banner" role="note">${m.sandboxBanner}</p>` : ''}
<main id="main">
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

export function errorBox(message: string | undefined): SafeHtml {
  return message === undefined ? html`` : html`<p class="error" role="alert" id="form-error">${message}</p>`;
}

function tppCard(m: Messages, client: ClientView): SafeHtml {
  return html`<section class="card" aria-labelledby="tpp-heading">
<h2 id="tpp-heading">${m.tppHeading}</h2>
<dl>
<dt>${m.tppName}</dt><dd>${client.name}${client.name === client.organizationName ? '' : ` (${client.organizationName})`}</dd>
<dt>${m.organizationId}</dt><dd>${client.organizationId}</dd>
<dt>${m.nca}</dt><dd>${client.ncaId}</dd>
</dl>
</section>`;
}

function accessCard(m: Messages, client: ClientView, scopes: readonly string[], expiresOn: string): SafeHtml {
  return html`<section class="card" aria-labelledby="access-heading">
<h2 id="access-heading">${m.asksAccess(client.name)}</h2>
<ul class="access">${scopes.map((scope) => html`<li>${m.scopes[scope] ?? scope}</li>`)}</ul>
<p>${m.duration(180, expiresOn)}</p>
</section>`;
}

/** What the PSU is asked to approve: a payment, or the scopes' access for 180 days. */
function askedCard(
  frame: PageFrame,
  view: {
    client: ClientView;
    scopes: readonly string[];
    expiresOn: string;
    payment?: PaymentInitiationDetail | undefined;
  },
): SafeHtml {
  return view.payment === undefined
    ? accessCard(frame.m, view.client, view.scopes, view.expiresOn)
    : paymentCard(frame, view.client.name, view.payment);
}

function cancelForm(m: Messages, action: string, csrf: string): SafeHtml {
  return html`<form class="inline" method="post" action="${action}">
${csrfField(csrf)}<input type="hidden" name="decision" value="deny">
<div class="actions"><button type="submit" class="secondary">${m.cancel}</button></div>
</form>`;
}

/** A sign-in step's form: its fields and one button, then Cancel and the idle-time hint. */
function stepForm(
  m: Messages,
  view: { action: string; cancelAction: string; csrf: string; error?: string | undefined },
  fields: SafeHtml,
  submit: string,
): SafeHtml {
  return html`${errorBox(view.error)}
<form method="post" action="${view.action}">
${csrfField(view.csrf)}
${fields}
<div class="actions"><button type="submit" class="primary">${submit}</button></div>
</form>
${cancelForm(m, view.cancelAction, view.csrf)}
<p class="muted">${m.sessionHint}</p>`;
}

/** The decision, in the words of what is decided: a payment is approved or rejected, access allowed or denied. */
function decisionButtons(m: Messages, payment: PaymentInitiationDetail | undefined): SafeHtml {
  const [grant, deny] = payment === undefined ? [m.grant, m.deny] : [m.payment.approve, m.payment.reject];
  return html`<div class="actions">
<button type="submit" class="primary" name="decision" value="grant">${grant}</button>
<button type="submit" class="secondary" name="decision" value="deny">${deny}</button>
</div>`;
}

export function sandboxPage(
  frame: PageFrame,
  view: {
    client: ClientView;
    scopes: readonly string[];
    expiresOn: string;
    psus: readonly SandboxPsuView[];
    action: string;
    csrf: string;
    error?: string | undefined;
    payment?: PaymentInitiationDetail | undefined;
  },
): string {
  const { m } = frame;
  const body = html`<p>${m.sandboxIntro}</p>
${errorBox(view.error)}
${tppCard(m, view.client)}
${askedCard(frame, view)}
<form method="post" action="${view.action}">
${csrfField(view.csrf)}
${psuPicker(m, view.psus)}
${decisionButtons(m, view.payment)}
</form>`;
  return layout(frame, m.sandboxTitle, body);
}

export function signInPage(
  frame: PageFrame,
  view: {
    client: ClientView;
    action: string;
    cancelAction: string;
    csrf: string;
    error?: string | undefined;
  },
): string {
  const { m } = frame;
  const body = html`<p>${m.signInIntro(view.client.name)}</p>
${stepForm(m, view, signInFields(m, view.error), m.continue)}`;
  return layout(frame, m.signInTitle, body);
}

/** The first factor's fields. Nothing typed is shown back: a refused page is the same whoever was named. */
/** The sandbox's simulated customers as one radio group, the first chosen: used wherever a sandbox customer signs in. */
export function psuPicker(m: Messages, psus: readonly SandboxPsuView[]): SafeHtml {
  return html`<fieldset>
<legend>${m.choosePsu}</legend>
${psus.map(
  (psu, index) =>
    html`<label class="choice" for="psu-${index}"><input type="radio" id="psu-${index}" name="psu" value="${psu.psuId}"${index === 0 ? html` checked` : ''}> ${psu.displayName} <span class="muted">(${psu.psuId})</span></label>`,
)}
</fieldset>`;
}

export interface SandboxPsuView {
  readonly psuId: string;
  readonly displayName: string;
}

export function signInFields(m: Messages, error: string | undefined): SafeHtml {
  const described = error === undefined ? 'customer-id-hint' : 'form-error customer-id-hint';
  return html`<label for="customer-id">${m.customerId}<span class="hint" id="customer-id-hint">${m.customerIdHint}</span></label>
<input type="text" id="customer-id" name="customer_id" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="64" aria-describedby="${described}" autofocus>
<label for="password">${m.password}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required maxlength="256">`;
}

/** The second factor's field. */
export function otpFields(m: Messages): SafeHtml {
  return html`<label for="otp">${m.otpCode}<span class="hint" id="otp-hint">${m.otpHint}</span></label>
<input type="text" id="otp" name="otp" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required autofocus aria-describedby="otp-hint">`;
}

export function otpPage(
  frame: PageFrame,
  view: {
    action: string;
    cancelAction: string;
    csrf: string;
    error?: string | undefined;
    payment?: PaymentInitiationDetail | undefined;
  },
): string {
  const { m } = frame;
  const body = html`${view.payment === undefined ? '' : paymentSummary(frame, view.payment)}
<p>${m.otpIntro}</p>
${stepForm(m, view, otpFields(m), m.verify)}`;
  return layout(frame, m.otpTitle, body);
}

export function consentPage(
  frame: PageFrame,
  view: {
    client: ClientView;
    scopes: readonly string[];
    expiresOn: string;
    psuName: string;
    action: string;
    csrf: string;
    payment?: PaymentInitiationDetail | undefined;
  },
): string {
  const { m } = frame;
  const body = html`<p>${m.signedInAs(view.psuName)}</p>
${tppCard(m, view.client)}
${askedCard(frame, view)}
<form method="post" action="${view.action}">
${csrfField(view.csrf)}
${decisionButtons(m, view.payment)}
</form>
<p class="muted">${m.sessionHint}</p>`;
  return layout(frame, m.consentTitle, body);
}

export function errorPage(
  frame: PageFrame,
  view: { kind: PageErrorKind; requestId: string; back?: { href: string; label: string } | undefined },
): string {
  const { m } = frame;
  const body = html`<div class="card" role="alert"><p>${m.errors[view.kind]}</p></div>
${view.back === undefined ? '' : html`<p><a href="${view.back.href}">${view.back.label}</a></p>`}
<p class="muted">${m.reference(view.requestId)}</p>`;
  return layout(frame, m.errorTitle, body);
}
