import type { PaymentInitiationDetail } from './details.js';

/**
 * RFC 9396 §2's own `payment_initiation` example, as the README's PISP quick start pushes it: the one
 * sample every test and document shares, so that they all show the same payment.
 */
export const PAYMENT_INITIATION_EXAMPLE: PaymentInitiationDetail = {
  type: 'payment_initiation',
  actions: ['initiate'],
  instructedAmount: { currency: 'EUR', amount: '123.50' },
  creditorName: 'Merchant A',
  creditorAccount: { iban: 'DE02100100109307118603' },
  remittanceInformationUnstructured: 'Ref Number Merchant',
};
