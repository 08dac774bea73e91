import { InvalidAuthorizationDetailsError } from '@psd2/oauth-errors';
import { isValidIBAN } from 'ibantools';
import { z } from 'zod';
import { minorUnitsOf } from './currency.js';
import { hasDuplicateMember } from './duplicate-members.js';

/*
 * RFC 9396 `payment_initiation` authorization details (the RFC's own example type, §2), as a PISP
 * pushes them (PAR) or the bank's payment API registers them. The AS "MUST refuse to process any
 * unknown authorization details type or authorization details not conforming to the respective type
 * definition" (§5): unknown members are refused as well, so nothing the customer was not shown can
 * ride along with the consent.
 */

export type PaymentAction = 'initiate' | 'cancel';

export interface PaymentInitiationDetail {
  readonly type: 'payment_initiation';
  readonly actions: readonly [PaymentAction];
  readonly instructedAmount: { readonly currency: string; readonly amount: string };
  readonly creditorName: string;
  readonly creditorAccount: { readonly iban: string };
  readonly remittanceInformationUnstructured?: string;
  readonly debtorAccount?: { readonly iban: string };
  /** The payment to cancel: present exactly when the action is `cancel`. */
  readonly paymentId?: string;
}

/** The largest `authorization_details` parameter read at all (one payment is a few hundred bytes). */
export const MAX_AUTHORIZATION_DETAILS_BYTES = 4096;

/** Printable text: no control characters (they would garble the page and the bank's records). */
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
const text = (min: number, max: number) =>
  z
    .string()
    .refine((value) => !CONTROL.test(value), 'contains control characters')
    .refine((value) => value.trim().length >= min, 'is empty')
    .refine((value) => [...value].length <= max, `is longer than ${max} characters`);

const iban = z
  .string()
  .refine((value) => /^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(value) && isValidIBAN(value), {
    message: 'is not a valid IBAN (electronic format, valid checksum)',
  });
const account = z.strictObject({ iban });

const amount = z.strictObject({ currency: z.string(), amount: z.string() }).superRefine((value, ctx) => {
  const digits = minorUnitsOf(value.currency);
  if (digits === undefined) {
    ctx.addIssue({ code: 'custom', path: ['currency'], message: 'is not an ISO 4217 currency code' });
    return;
  }
  const pattern = digits === 0 ? /^[0-9]{1,15}$/ : new RegExp(`^[0-9]{1,15}(\\.[0-9]{1,${digits}})?$`);
  const canonical = /^(0|[1-9][0-9]*)(\.|$)/.test(value.amount);
  if (!pattern.test(value.amount) || !canonical || !/[1-9]/.test(value.amount)) {
    ctx.addIssue({
      code: 'custom',
      path: ['amount'],
      message: `is not a positive decimal amount with at most ${digits} decimals for ${value.currency}`,
    });
  }
});

const detail = z
  .strictObject({
    type: z.literal('payment_initiation'),
    actions: z.union([z.tuple([z.literal('initiate')]), z.tuple([z.literal('cancel')])], {
      error: "must hold one action, 'initiate' or 'cancel': one consent approves one operation",
    }),
    instructedAmount: amount,
    creditorName: text(1, 70),
    creditorAccount: account,
    remittanceInformationUnstructured: text(0, 140).optional(),
    debtorAccount: account.optional(),
    paymentId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'is 1 to 64 letters, digits, dots, dashes or underscores')
      .optional(),
  })
  .superRefine((value, ctx) => {
    if (value.actions[0] === 'cancel' && value.paymentId === undefined)
      ctx.addIssue({ code: 'custom', path: ['paymentId'], message: 'is required to cancel a payment' });
    if (value.actions[0] === 'initiate' && value.paymentId !== undefined)
      ctx.addIssue({ code: 'custom', path: ['paymentId'], message: 'is only for a cancellation' });
  });

/** One payment detail, checked; refused with `invalid_authorization_details` naming the first fault. */
export function checkPaymentDetail(value: unknown): PaymentInitiationDetail {
  const parsed = detail.safeParse(value, { reportInput: true });
  if (!parsed.success) throw refusal(parsed.error);
  const d = parsed.data;
  // Rebuilt in one fixed member order: the stored and shown form, and what the binding hashes.
  return {
    type: 'payment_initiation',
    actions: d.actions,
    instructedAmount: { currency: d.instructedAmount.currency, amount: d.instructedAmount.amount },
    creditorName: d.creditorName,
    creditorAccount: { iban: d.creditorAccount.iban },
    ...(d.remittanceInformationUnstructured === undefined
      ? {}
      : { remittanceInformationUnstructured: d.remittanceInformationUnstructured }),
    ...(d.debtorAccount === undefined ? {} : { debtorAccount: { iban: d.debtorAccount.iban } }),
    ...(d.paymentId === undefined ? {} : { paymentId: d.paymentId }),
  };
}

/**
 * The `authorization_details` request parameter (RFC 9396 §2: a JSON array). This server takes
 * exactly one `payment_initiation` object: one consent approves one payment.
 */
export function parseAuthorizationDetails(raw: string): readonly [PaymentInitiationDetail] {
  if (Buffer.byteLength(raw, 'utf8') > MAX_AUTHORIZATION_DETAILS_BYTES) {
    throw invalid(`authorization_details is longer than ${MAX_AUTHORIZATION_DETAILS_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw invalid('authorization_details is not JSON');
  }
  if (!Array.isArray(value)) throw invalid('authorization_details is not a JSON array');
  if (hasDuplicateMember(raw)) throw invalid('authorization_details has a member named twice');
  if (value.length !== 1) throw invalid('authorization_details must hold exactly one payment_initiation');
  const [only] = value as unknown[];
  const type = typeof only === 'object' && only !== null ? (only as { type?: unknown }).type : undefined;
  if (type !== 'payment_initiation') {
    throw invalid('the only authorization_details type supported is "payment_initiation"');
  }
  return [checkPaymentDetail(only)];
}

export function paymentActionOf(detail: PaymentInitiationDetail): PaymentAction {
  return detail.actions[0];
}

function invalid(description: string): InvalidAuthorizationDetailsError {
  return new InvalidAuthorizationDetailsError({ description: `${description}.`, detail: description });
}

function refusal(error: z.ZodError): InvalidAuthorizationDetailsError {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  return invalid(
    `${path === '' ? 'payment_initiation' : path} ${issue === undefined ? 'is invalid' : said(issue)}`,
  );
}

/** A TPP developer reads this in error_description: what to change, in the words of the type definition. */
function said(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys': {
      // Named only when it is a plain name: the description is the TPP's input echoed back.
      const [first] = issue.keys;
      return first !== undefined && /^[A-Za-z0-9_]{1,40}$/.test(first)
        ? `has an unknown member '${first}'`
        : 'has an unknown member';
    }
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${article(issue.expected)}`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
