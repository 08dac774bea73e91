import { createHash } from 'node:crypto';
import { minorUnitsOf } from './currency.js';
import type { PaymentInitiationDetail } from './details.js';

/** How a customer reads an amount: `123,50 €` in French, `€123.50` in English, exact to the minor unit. */
export function formatAmount(amount: PaymentInitiationDetail['instructedAmount'], lang: 'fr' | 'en'): string {
  const digits = minorUnitsOf(amount.currency) ?? 2;
  const format = new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', {
    style: 'currency',
    currency: amount.currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  // A decimal string is formatted exactly (Intl.NumberFormat v3), never through a binary float.
  return format.format(amount.amount as unknown as number);
}

/** Enough of an IBAN to recognise it, not enough to copy it: `DE02 •••• 8603`. */
export function maskIban(iban: string): string {
  return `${iban.slice(0, 4)} •••• ${iban.slice(-4)}`;
}

/**
 * Dynamic linking (PSD2 RTS Art. 5): the value the customer's authentication is bound to. It covers
 * everything the customer is shown of the payment (the action, amount, currency, payee, both accounts,
 * the reference and the payment to cancel), in a fixed order whatever the record's member order; any
 * change to one of them changes it, and an approval bound to another value is refused.
 */
export function paymentBinding(detail: PaymentInitiationDetail): string {
  const linked = [
    detail.actions[0],
    detail.instructedAmount.currency,
    detail.instructedAmount.amount,
    detail.creditorName,
    detail.creditorAccount.iban,
    detail.paymentId ?? null,
    detail.remittanceInformationUnstructured ?? null,
    detail.debtorAccount?.iban ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(linked)).digest('base64url');
}
