import { formatAmount, maskIban, type PaymentInitiationDetail, paymentActionOf } from '@psd2/payment-details';
import { html, type SafeHtml } from './html.js';
import type { PageFrame } from './pages.js';

/*
 * A payment as the customer reads it: initiation or cancellation, the amount in the page's language,
 * the payee and a masked account, the reference. The same block on the code step (what the code
 * approves, PSD2 RTS Art. 5) and on the consent. Every value escaped by `html`.
 */

function paymentFacts(frame: PageFrame, detail: PaymentInitiationDetail): SafeHtml {
  const p = frame.m.payment;
  const remittance = detail.remittanceInformationUnstructured;
  return html`<dl class="payment">
<dt>${p.amount}</dt><dd class="amount">${formatAmount(detail.instructedAmount, frame.lang)}</dd>
<dt>${p.creditor}</dt><dd>${detail.creditorName}</dd>
<dt>${p.creditorAccount}</dt><dd>${maskIban(detail.creditorAccount.iban)}</dd>
${detail.debtorAccount === undefined ? '' : html`<dt>${p.debtorAccount}</dt><dd>${maskIban(detail.debtorAccount.iban)}</dd>`}
${remittance === undefined ? '' : html`<dt>${p.remittance}</dt><dd>${remittance}</dd>`}
${detail.paymentId === undefined ? '' : html`<dt>${p.paymentId}</dt><dd>${detail.paymentId}</dd>`}
</dl>`;
}

/** The consent's card: who asks for which operation, and the operation. */
export function paymentCard(frame: PageFrame, tpp: string, detail: PaymentInitiationDetail): SafeHtml {
  const p = frame.m.payment;
  const cancel = paymentActionOf(detail) === 'cancel';
  return html`<section class="card" aria-labelledby="payment-heading">
<h2 id="payment-heading">${cancel ? p.asksCancel(tpp) : p.asksInitiate(tpp)}</h2>
${paymentFacts(frame, detail)}
<p>${p.once}</p>
</section>`;
}

/** The code step's summary: the operation the code will approve. */
export function paymentSummary(frame: PageFrame, detail: PaymentInitiationDetail): SafeHtml {
  const p = frame.m.payment;
  const title = paymentActionOf(detail) === 'cancel' ? p.cancelTitle : p.initiateTitle;
  return html`<section class="card" aria-labelledby="payment-heading">
<h2 id="payment-heading">${title}</h2>
<p>${p.otpLinked}</p>
${paymentFacts(frame, detail)}
</section>`;
}
