import { Language, PaymentOutcome, type RegisterPaymentRequestRequest } from '@psd2/payment-consent-proto';
import { EXPIRY_BOUNDS } from './config.js';
import { invalidArgument, PaymentConsentError } from './errors.js';
import { paymentDetailOf } from './mapping.js';
import type { RegisterInput } from './payment-consent.js';

/* The checks of each request's own fields, before any store or registry is asked anything. */

/** Printable text, as the payment details' own fields: no control or format characters. */
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

function requiredText(value: string, field: string, maxLength: number): string {
  if (value.trim() === '') throw invalidArgument(`${field} is required`);
  if ([...value].length > maxLength) throw invalidArgument(`${field} is longer than ${maxLength} characters`);
  if (CONTROL.test(value)) throw invalidArgument(`${field} contains control characters`);
  return value;
}

export function registerInputOf(request: RegisterPaymentRequestRequest): RegisterInput {
  const clientId = requiredText(request.clientId, 'client_id', 255);
  const resourceId = requiredText(request.resourceId, 'resource_id', 128);
  const detail = paymentDetailOf(request.kind, request.details);
  const expires = request.expiresInSeconds;
  if (expires !== undefined && (expires < EXPIRY_BOUNDS.min || expires > EXPIRY_BOUNDS.max)) {
    throw invalidArgument(
      `expires_in_seconds must be from ${EXPIRY_BOUNDS.min} to ${EXPIRY_BOUNDS.max} (or unset for the default)`,
    );
  }
  // Unspecified is French, the pages' default.
  const language = request.language === Language.LANGUAGE_UNSPECIFIED ? 'fr' : LANGUAGE[request.language];
  if (language === undefined) throw invalidArgument('language must be LANGUAGE_FR or LANGUAGE_EN');
  return {
    clientId,
    resourceId,
    detail,
    ...(expires === undefined ? {} : { expiresInSeconds: expires }),
    language,
  };
}

const LANGUAGE: Partial<Record<Language, 'fr' | 'en'>> = {
  [Language.LANGUAGE_FR]: 'fr',
  [Language.LANGUAGE_EN]: 'en',
};

/**
 * A payment request id as the store generates it (128 bits, base64url). Anything else names no
 * request: NOT_FOUND, as for an unknown one, without asking the store.
 */
export function paymentRequestIdOf(value: string): string {
  if (value === '') throw invalidArgument('payment_request_id is required');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
    throw new PaymentConsentError('not_found', 'no payment request has this payment_request_id');
  }
  return value;
}

export function outcomeOf(value: PaymentOutcome): 'executed' | 'cancelled' {
  if (value === PaymentOutcome.PAYMENT_OUTCOME_EXECUTED) return 'executed';
  if (value === PaymentOutcome.PAYMENT_OUTCOME_CANCELLED) return 'cancelled';
  throw invalidArgument('outcome is required: PAYMENT_OUTCOME_EXECUTED or PAYMENT_OUTCOME_CANCELLED');
}
