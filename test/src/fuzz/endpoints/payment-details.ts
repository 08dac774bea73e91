import { PAYMENT_INITIATION_EXAMPLE } from '@psd2/payment-details';
import fc from 'fast-check';
import { anyText, brokenJsonText, deepJsonText, jsonValue, nastyChar, oversize } from '../hostile.js';
import { hostileValue } from './common.js';

/*
 * RFC 9396 `authorization_details` for a payment (packages/payment-details): a valid payment_initiation
 * array mostly, otherwise one member at a time broken the ways a PISP gets it wrong (types, IBAN
 * checksums, currencies, amounts with exponents or too many decimals, actions, cancel without a
 * paymentId), unknown members, two details, other types, broken or huge JSON.
 */

export const VALID_DETAIL = PAYMENT_INITIATION_EXAMPLE;

const VALID_IBANS = ['DE02100100109307118603', 'FR1420041010050500013M02606', 'GB33BUKB20201555555555'];

type Detail = Record<string, unknown>;

/** A valid detail: an initiation or a cancellation, with or without a debtor account. */
const validDetail: fc.Arbitrary<Detail> = fc
  .record({
    cancel: fc.boolean(),
    paymentId: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
    currency: fc.constantFrom('EUR', 'EUR', 'USD', 'JPY', 'BHD', 'GBP'),
    creditor: fc.constantFrom(...VALID_IBANS),
    debtor: fc.option(fc.constantFrom(...VALID_IBANS), { nil: undefined }),
    name: fc.oneof(fc.constant('Merchant A'), fc.constantFrom('Café Ünïcode', 'Ⅸ 商店', 'A'.repeat(70))),
    remittance: fc.option(fc.constantFrom('Ref Number Merchant', '', 'x'.repeat(140)), { nil: undefined }),
  })
  .map((d) => ({
    type: 'payment_initiation',
    actions: [d.cancel ? 'cancel' : 'initiate'],
    instructedAmount: { currency: d.currency, amount: d.currency === 'JPY' ? '12350' : '123.50' },
    creditorName: d.name,
    creditorAccount: { iban: d.creditor },
    ...(d.remittance === undefined ? {} : { remittanceInformationUnstructured: d.remittance }),
    ...(d.debtor === undefined ? {} : { debtorAccount: { iban: d.debtor } }),
    ...(d.cancel ? { paymentId: d.paymentId } : {}),
  }));

/** A JSON value of the wrong type for any member. */
const wrongType = fc.oneof(
  fc.constantFrom<unknown>(null, true, 0, -1, 1.5, 1e308, [], {}, [''], { iban: null }),
  jsonValue,
);

const badIban = fc.oneof(
  fc.constantFrom(
    'DE02100100109307118604',
    'DE00100100109307118603',
    'de02100100109307118603',
    'DE02 1001 0010 9307 1186 03',
    'DE02',
    'XX02100100109307118603',
    'DE021001001093071186031234567890123',
    'FR1420041010050500013M02607',
    '',
  ),
  fc.tuple(fc.constantFrom(...VALID_IBANS), nastyChar).map(([iban, c]) => iban + c),
);

const badCurrency = fc.constantFrom('eur', 'EURO', 'XAU', 'XXX', 'XTS', '', '€', 'E\u0000R', 'ZZZ', 'EUR ');

const badAmount = fc.constantFrom(
  '1e3',
  '1E2',
  '-1',
  '-0.01',
  '+1',
  '0',
  '0.00',
  '01.50',
  '1.234',
  '1.',
  '.5',
  ' 1',
  '1,50',
  '١٢٣',
  'NaN',
  'Infinity',
  '0x10',
  '9999999999999999',
  '1'.repeat(400),
  '12.5\u0000',
);

/** Replaces, drops or adds one thing in a valid detail. */
const brokenDetail: fc.Arbitrary<Detail> = fc
  .tuple(
    validDetail,
    fc.oneof(
      fc.tuple(
        fc.constant('type'),
        fc.oneof(fc.constantFrom('PAYMENT_INITIATION', 'account_information', ''), wrongType),
      ),
      fc.tuple(
        fc.constant('actions'),
        fc.oneof(
          fc.constantFrom<unknown>(
            [],
            ['initiate', 'cancel'],
            ['cancel'],
            ['INITIATE'],
            'initiate',
            ['initiate', 'initiate'],
            [null],
          ),
          wrongType,
        ),
      ),
      fc.tuple(fc.constant('instructedAmount.amount'), fc.oneof(badAmount, wrongType)),
      fc.tuple(fc.constant('instructedAmount.currency'), fc.oneof(badCurrency, wrongType)),
      fc.tuple(
        fc.constant('instructedAmount'),
        fc.oneof(wrongType, fc.constant({ currency: 'EUR', amount: '1', x: 1 })),
      ),
      fc.tuple(fc.constant('creditorAccount.iban'), fc.oneof(badIban, wrongType)),
      fc.tuple(
        fc.constant('debtorAccount'),
        fc.oneof(
          badIban.map((iban) => ({ iban })),
          wrongType,
        ),
      ),
      fc.tuple(
        fc.constant('creditorName'),
        fc.oneof(anyText, oversize, fc.constantFrom('', '   ', 'a\u202eb', 'A'.repeat(71)), wrongType),
      ),
      fc.tuple(fc.constant('remittanceInformationUnstructured'), fc.oneof(anyText, oversize, wrongType)),
      fc.tuple(
        fc.constant('paymentId'),
        fc.oneof(hostileValue, fc.constantFrom('pay 1', 'p'.repeat(65), ''), wrongType),
      ),
      fc.tuple(
        fc.constantFrom('locations', 'privileges', 'x', '__proto__', 'constructor', 'creditorAccount.bic'),
        wrongType,
      ),
      fc.tuple(fc.constant('creditorName'), fc.constant(nested(200))),
    ),
    fc.boolean(),
  )
  .map(([detail, [path, value], drop]) =>
    withMember(detail, path, drop && path !== '__proto__' ? undefined : value),
  );

/** A copy of `detail` with the member at a dotted path set (or dropped when `value` is undefined). */
function withMember(detail: Detail, path: string, value: unknown): Detail {
  const copy = structuredClone(detail);
  const keys = path.split('.');
  const last = keys.pop() as string;
  let target: Record<string, unknown> = copy;
  for (const key of keys) {
    const next = target[key];
    target[key] = typeof next === 'object' && next !== null && !Array.isArray(next) ? { ...next } : {};
    target = target[key] as Record<string, unknown>;
  }
  if (value === undefined) delete target[last];
  // defineProperty: a `__proto__` member is sent as a JSON member, not a prototype change.
  else Object.defineProperty(target, last, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Arrays nested `depth` levels deep, as a value. */
function nested(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
}

const asArray = (details: Detail[]) => JSON.stringify(details);

/** The `authorization_details` parameter: valid mostly, broken in every way otherwise. */
export const authorizationDetails: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: validDetail.map((d) => asArray([d])) },
  { weight: 8, arbitrary: brokenDetail.map((d) => asArray([d])) },
  { weight: 1, arbitrary: fc.tuple(validDetail, validDetail).map(([a, b]) => asArray([a, b])) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('[]', '{}', 'null', '"payment_initiation"', '[null]', '[[]]', '1'),
  },
  { weight: 1, arbitrary: validDetail.map((d) => JSON.stringify(d)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '[{"type":"account_information","actions":["list_accounts"],"locations":["https://x"]}]',
      '[{"type":"openid_credential","format":"jwt_vc_json"}]',
      '[{"type":"payment_initiation"}]',
    ),
  },
  { weight: 1, arbitrary: brokenJsonText },
  // Near the 4096-byte limit and beyond; nested arrays inside and around the details.
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(4000, 4097, 70_000)
      .map((n) => asArray([{ ...VALID_DETAIL, creditorName: 'A'.repeat(n) }])),
  },
  { weight: 1, arbitrary: deepJsonText },
  // Textual tricks JSON.stringify never makes: duplicate members, a BOM, escaped member names.
  {
    weight: 1,
    arbitrary: validDetail
      .map((d) => asArray([d]))
      .chain((text) =>
        fc.constantFrom(
          text.replace(
            '"type":"payment_initiation"',
            '"type":"payment_initiation","type":"account_information"',
          ),
          text.replace('"creditorName":', '"creditorName":"Evil","creditorName":'),
          `\ufeff${text}`,
          text.replace('"type"', '"\\u0074ype"'),
          text.slice(0, Math.floor(text.length / 2)),
          `${text} x`,
        ),
      ),
  },
  { weight: 1, arbitrary: hostileValue },
);
