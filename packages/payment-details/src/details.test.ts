import { describe, expect, it } from '@jest/globals';
import { InvalidAuthorizationDetailsError } from '@psd2/oauth-errors';
import { hasDuplicateMember } from './duplicate-members.js';
import {
  formatAmount,
  maskIban,
  PAYMENT_INITIATION_EXAMPLE,
  parseAuthorizationDetails,
  paymentBinding,
} from './index.js';

const payment = PAYMENT_INITIATION_EXAMPLE;
const parse = (value: unknown) => parseAuthorizationDetails(JSON.stringify(value));
const refusalOf = (value: unknown): string => {
  try {
    parse(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidAuthorizationDetailsError);
    return (error as InvalidAuthorizationDetailsError).description;
  }
  throw new Error('accepted');
};

describe('parseAuthorizationDetails', () => {
  it("accepts RFC 9396's own example and returns it in one member order", () => {
    const [detail] = parse([{ ...payment, debtorAccount: { iban: 'FR7630006000011234567890189' } }]);
    expect(detail.instructedAmount).toEqual({ currency: 'EUR', amount: '123.50' });
    expect(detail.debtorAccount?.iban).toBe('FR7630006000011234567890189');
    expect(Object.keys(detail)[0]).toBe('type');
  });

  it('accepts a cancellation with the paymentId of the payment to cancel', () => {
    const [detail] = parse([{ ...payment, actions: ['cancel'], paymentId: 'pay-123' }]);
    expect(detail.paymentId).toBe('pay-123');
  });

  it.each([
    [
      'amount with too many decimals for EUR',
      { instructedAmount: { currency: 'EUR', amount: '1.234' } },
      'amount',
    ],
    [
      'decimals for a currency without minor units',
      { instructedAmount: { currency: 'JPY', amount: '10.5' } },
      'amount',
    ],
    ['zero amount', { instructedAmount: { currency: 'EUR', amount: '0.00' } }, 'amount'],
    ['negative amount', { instructedAmount: { currency: 'EUR', amount: '-5' } }, 'amount'],
    ['leading zeros', { instructedAmount: { currency: 'EUR', amount: '007' } }, 'amount'],
    ['exponent', { instructedAmount: { currency: 'EUR', amount: '1e3' } }, 'amount'],
    ['numeric amount', { instructedAmount: { currency: 'EUR', amount: 12 } }, 'amount'],
    ['unknown currency', { instructedAmount: { currency: 'EUX', amount: '1' } }, 'currency'],
    [
      'a unit of account (ISO minor unit N.A.)',
      { instructedAmount: { currency: 'XDR', amount: '1' } },
      'currency',
    ],
    ['a precious metal', { instructedAmount: { currency: 'XAU', amount: '1' } }, 'currency'],
    ['gold', { instructedAmount: { currency: 'XAU', amount: '1' } }, 'currency'],
    [
      'IBAN with a bad checksum',
      { creditorAccount: { iban: 'DE03100100109307118603' } },
      'creditorAccount.iban',
    ],
    [
      'IBAN with spaces',
      { creditorAccount: { iban: 'DE02 1001 0010 9307 1186 03' } },
      'creditorAccount.iban',
    ],
    ['empty creditor name', { creditorName: '  ' }, 'creditorName'],
    ['creditor name of 71 characters', { creditorName: 'x'.repeat(71) }, 'creditorName'],
    ['control character in the name', { creditorName: 'A\u0000B' }, 'creditorName'],
    ['remittance of 141 characters', { remittanceInformationUnstructured: 'r'.repeat(141) }, 'remittance'],
    [
      'two actions',
      { actions: ['initiate', 'cancel'] },
      "actions must hold one action, 'initiate' or 'cancel'",
    ],
    ['unknown action', { actions: ['refund'] }, "actions must hold one action, 'initiate' or 'cancel'"],
    ['no creditor name', { creditorName: undefined }, 'creditorName is required'],
    [
      'an amount as a number',
      { instructedAmount: { currency: 'EUR', amount: 1 } },
      'amount must be a string',
    ],
    [
      'an account as a string',
      { creditorAccount: 'DE02100100109307118603' },
      'creditorAccount must be an object',
    ],
    ['cancel without paymentId', { actions: ['cancel'] }, 'paymentId'],
    ['paymentId on an initiation', { paymentId: 'p1' }, 'paymentId'],
    ['unknown member', { locations: ['https://bank.example'] }, "has an unknown member 'locations'"],
    ['unknown member, not a plain name', { 'a"b': 1 }, 'payment_initiation has an unknown member.'],
  ])('refuses %s', (_name, change, named) => {
    expect(refusalOf([{ ...payment, ...change }])).toContain(named);
  });

  it('accepts the largest allowed text and the currency minor units exactly', () => {
    parse([{ ...payment, creditorName: 'é'.repeat(70), remittanceInformationUnstructured: 'r'.repeat(140) }]);
    parse([{ ...payment, instructedAmount: { currency: 'BHD', amount: '1.234' } }]);
    parse([{ ...payment, instructedAmount: { currency: 'JPY', amount: '1500' } }]);
    parse([{ ...payment, instructedAmount: { currency: 'CLF', amount: '1.2345' } }]);
    parse([{ ...payment, instructedAmount: { currency: 'XOF', amount: '5000' } }]);
  });

  it.each([
    ['not JSON', '{'],
    ['an object rather than an array', JSON.stringify(payment)],
    ['an empty array', '[]'],
    ['two payments', JSON.stringify([payment, payment])],
    ['another type', JSON.stringify([{ type: 'account_information' }])],
    ['a huge value', JSON.stringify([{ ...payment, creditorName: 'x'.repeat(5000) }])],
    [
      'a member named twice (the last one wins in JSON.parse, the first elsewhere)',
      JSON.stringify([payment]).replace('"creditorName":', '"creditorName":"Evil","creditorName":'),
    ],
    [
      'a nested member named twice, escaped differently',
      JSON.stringify([payment]).replace('"iban":', '"iban":"DE02100100109307118603","\\u0069ban":'),
    ],
  ])('refuses %s', (_name, raw) => {
    expect(() => parseAuthorizationDetails(raw)).toThrow(InvalidAuthorizationDetailsError);
  });

  it('names the duplicate as the reason', () => {
    const twice = JSON.stringify([payment]).replace(
      '"creditorName":',
      '"creditorName":"Evil","creditorName":',
    );
    expect(() => parseAuthorizationDetails(twice)).toThrow('authorization_details has a member named twice');
  });
});

describe('display and binding', () => {
  it('formats the amount for each language with its currency', () => {
    expect(formatAmount({ currency: 'EUR', amount: '1234.5' }, 'fr')).toBe('1\u202f234,50\u00a0€');
    expect(formatAmount({ currency: 'EUR', amount: '1234.5' }, 'en')).toBe('€1,234.50');
    expect(formatAmount({ currency: 'JPY', amount: '1500' }, 'en')).toBe('JP¥1,500');
  });

  it('masks the IBAN but for its country, check digits and last four characters', () => {
    expect(maskIban('DE02100100109307118603')).toBe('DE02 •••• 8603');
  });

  it('binds to everything the customer is shown: a change to any of it changes the binding', () => {
    const [detail] = parse([payment]);
    const changes: Record<string, unknown>[] = [
      { instructedAmount: { currency: 'EUR', amount: '123.49' } },
      { instructedAmount: { currency: 'GBP', amount: '123.50' } },
      { creditorName: 'Merchant B' },
      { creditorAccount: { iban: 'FR7630006000011234567890189' } },
      { remittanceInformationUnstructured: 'Ref Number Merchant 2' },
      { remittanceInformationUnstructured: undefined },
      { remittanceInformationUnstructured: '' },
      { debtorAccount: { iban: 'FR7630006000011234567890189' } },
      { actions: ['cancel'], paymentId: 'pay-1' },
    ];
    const bindings = changes.map((change) => paymentBinding(parse([{ ...payment, ...change }])[0]));
    expect(new Set([paymentBinding(detail), ...bindings]).size).toBe(changes.length + 1);
    // The same payment, whatever the order of its members, binds the same.
    const reordered = Object.fromEntries(Object.entries(payment).reverse());
    expect(paymentBinding(parse([reordered])[0])).toBe(paymentBinding(detail));
  });
});

describe('hasDuplicateMember', () => {
  it.each([
    ['{"a":1,"b":{"a":2}}', false],
    ['[{"a":1},{"a":2}]', false],
    ['{"a":"x\\"a","b":["a","a"]}', false],
    ['{"a":1,"a":2}', true],
    ['{"a":{"b":1,"c":[{"d":1,"d":2}]}}', true],
    ['{"\\u0061":1,"a":2}', true],
  ])('%s → %s', (json, duplicate) => {
    expect(hasDuplicateMember(json)).toBe(duplicate);
  });
});
