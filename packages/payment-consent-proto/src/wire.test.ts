import { describe, expect, it } from '@jest/globals';
import { PaymentConsentServiceService, PaymentKind, RegisterPaymentRequestRequest } from './index.js';

/* The generated code as the service relies on it: optional fields keep their presence on the wire. */

describe('the generated payment-consent messages', () => {
  const request: RegisterPaymentRequestRequest = {
    clientId: 'c',
    resourceId: 'r',
    kind: PaymentKind.PAYMENT_KIND_CANCEL,
    details: {
      instructedAmount: { currency: 'EUR', amount: '1.00' },
      creditorName: 'M',
      creditorIban: 'DE02100100109307118603',
      remittanceInformation: '',
      paymentId: 'p',
    },
    language: 0,
  };

  it('round-trips, telling an empty optional string from an absent one', () => {
    const decoded = RegisterPaymentRequestRequest.decode(
      RegisterPaymentRequestRequest.encode(request).finish(),
    );
    expect(decoded).toEqual(request);
    expect(decoded.details?.remittanceInformation).toBe('');
    expect(decoded.details?.debtorIban).toBeUndefined();
    expect(decoded.expiresInSeconds).toBeUndefined();
  });

  it('names the service and its three methods as the proto does', () => {
    expect(Object.values(PaymentConsentServiceService).map((method) => method.path)).toEqual([
      '/psd2.paymentconsent.v1.PaymentConsentService/RegisterPaymentRequest',
      '/psd2.paymentconsent.v1.PaymentConsentService/GetPaymentRequest',
      '/psd2.paymentconsent.v1.PaymentConsentService/ReportPaymentOutcome',
    ]);
  });
});
