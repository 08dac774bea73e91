import { describe, expect, it } from '@jest/globals';
import { PaymentKind, PaymentRequestStatus } from '@psd2/payment-consent-proto';
import { PAYMENT_INITIATION_EXAMPLE, parseAuthorizationDetails } from '@psd2/payment-details';
import { newPaymentRequest } from '@psd2/token-store';
import { consentApprovalUrl } from './consent-url.js';
import { PaymentConsentError } from './errors.js';
import { paymentDetailOf, paymentRequestMessageOf } from './mapping.js';
import { paymentRequestIdOf } from './requests.js';
import { SAMPLE_DETAILS } from './test-support.js';

/** The RFC 9396 object of the example, as a PISP would push it. */
const PUSHED = JSON.stringify([PAYMENT_INITIATION_EXAMPLE]);

function refusal(run: () => unknown): { kind: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof PaymentConsentError) return { kind: error.kind, message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

describe('paymentDetailOf', () => {
  it('gives the very object PAR would store for the same payment', () => {
    expect(paymentDetailOf(PaymentKind.PAYMENT_KIND_INITIATE, SAMPLE_DETAILS)).toEqual(
      parseAuthorizationDetails(PUSHED)[0],
    );
  });

  it('maps a cancellation, its payment id and the debtor account', () => {
    expect(
      paymentDetailOf(PaymentKind.PAYMENT_KIND_CANCEL, {
        ...SAMPLE_DETAILS,
        remittanceInformation: undefined,
        debtorIban: 'FR7630006000011234567890189',
        paymentId: 'pay-1',
      }),
    ).toEqual({
      type: 'payment_initiation',
      actions: ['cancel'],
      instructedAmount: { currency: 'EUR', amount: '123.50' },
      creditorName: 'Merchant A',
      creditorAccount: { iban: 'DE02100100109307118603' },
      debtorAccount: { iban: 'FR7630006000011234567890189' },
      paymentId: 'pay-1',
    });
  });

  it("refuses with INVALID_ARGUMENT naming the proto field, with @psd2/payment-details' reason", () => {
    expect(
      refusal(() =>
        paymentDetailOf(PaymentKind.PAYMENT_KIND_INITIATE, {
          ...SAMPLE_DETAILS,
          instructedAmount: { currency: 'JPY', amount: '10.5' },
        }),
      ),
    ).toEqual({
      kind: 'invalid_argument',
      message:
        'details.instructed_amount.amount is not a positive decimal amount with at most 0 decimals for JPY',
    });
    expect(
      refusal(() =>
        paymentDetailOf(PaymentKind.PAYMENT_KIND_INITIATE, { ...SAMPLE_DETAILS, creditorName: 'a\u0000b' }),
      ),
    ).toEqual({ kind: 'invalid_argument', message: 'details.creditor_name contains control characters' });
    expect(
      refusal(() =>
        paymentDetailOf(PaymentKind.PAYMENT_KIND_INITIATE, {
          ...SAMPLE_DETAILS,
          instructedAmount: undefined,
        }),
      ),
    ).toEqual({ kind: 'invalid_argument', message: 'details.instructed_amount is required' });
  });
});

describe('paymentRequestMessageOf', () => {
  it('reports a pending request past its time as EXPIRED, and leaves undecided fields unset', () => {
    const record = newPaymentRequest({
      clientId: 'c',
      detail: paymentDetailOf(PaymentKind.PAYMENT_KIND_INITIATE, SAMPLE_DETAILS),
      origin: 'pushed',
      now: 1000,
      lifetimeSeconds: 60,
    });
    expect(paymentRequestMessageOf(record, 1059, false).status).toBe(
      PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PENDING,
    );
    const expired = paymentRequestMessageOf(record, 1060, false);
    expect(expired.status).toBe(PaymentRequestStatus.PAYMENT_REQUEST_STATUS_EXPIRED);
    expect(expired).not.toHaveProperty('resourceId');
    expect(expired.decidedAt).toBeUndefined();
    expect(expired.boundToken).toBeUndefined();
    expect(expired.details).toEqual(SAMPLE_DETAILS);
  });

  it("gives the bound token's activity as the store answered it", () => {
    const record = {
      ...newPaymentRequest({
        clientId: 'c',
        detail: paymentDetailOf(PaymentKind.PAYMENT_KIND_INITIATE, SAMPLE_DETAILS),
        origin: 'pushed',
        now: 1000,
        lifetimeSeconds: 60,
      }),
      status: 'approved' as const,
      token: { accessTokenHash: 'h', certificateThumbprint: 't', issuedAt: 1010, expiresAt: 1310 },
    };
    for (const active of [true, false]) {
      expect(paymentRequestMessageOf(record, 1020, active).boundToken).toEqual({
        accessTokenSha256: 'h',
        cnfX5tS256: 't',
        issuedAt: new Date(1_010_000),
        expiresAt: new Date(1_310_000),
        active,
      });
    }
  });
});

describe('consentApprovalUrl', () => {
  const fields = { issuer: 'https://auth.bank.example', clientId: 'c 1', paymentRequestId: 'p_1-x' } as const;

  it('points at the bank sign-in page in bank mode and the simulated customer in sandbox mode', () => {
    expect(consentApprovalUrl({ ...fields, mode: 'bank', language: 'fr' })).toBe(
      'https://auth.bank.example/oauth2/fr/banque/oauth2_authorization.aspx?response_type=code&client_id=c+1&scope=pisp&payment_request_id=p_1-x',
    );
    expect(consentApprovalUrl({ ...fields, mode: 'sandbox', language: 'en' })).toBe(
      'https://auth.bank.example/oauth2/en/sandbox/signin.html?response_type=code&client_id=c+1&scope=pisp&payment_request_id=p_1-x',
    );
  });
});

describe('paymentRequestIdOf', () => {
  it('needs an id, and answers NOT_FOUND for one the store could never have made', () => {
    expect(paymentRequestIdOf('AAAAAAAAAAAAAAAAAAAAAA')).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(refusal(() => paymentRequestIdOf(''))).toMatchObject({ kind: 'invalid_argument' });
    expect(refusal(() => paymentRequestIdOf('../x'))).toMatchObject({ kind: 'not_found' });
  });
});
