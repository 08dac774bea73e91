import type {
  BoundPaymentToken,
  PaymentDecision,
  PaymentRequestRecord,
  PushedRequestRecord,
} from './records.js';

/*
 * The two storage capabilities of payment consent, small interfaces beside TokenStore's own (each
 * implementation provides all of them; the contract suite holds every implementation to the same).
 */

export type PaymentDecisionOutcome =
  | 'decided'
  /** Decided already (by this or another page), or completed: nothing changed. */
  | 'not_pending'
  /** `decidedAt` is at or past the request's `expiresAt`: nothing changed. */
  | 'expired'
  | 'unknown';

export type PaymentCompletionOutcome = 'completed' | 'not_approved' | 'unknown';

export interface PaymentRequestStore {
  /** Stores a new request (status `pending`), kept until PAYMENT_REQUEST_RETENTION_SECONDS after `expiresAt`. */
  createPaymentRequest(record: PaymentRequestRecord): Promise<void>;
  /** The request as stored, whatever its status; undefined once its retention has passed. */
  findPaymentRequest(paymentRequestId: string): Promise<PaymentRequestRecord | undefined>;
  /** The customer's decision, atomically and once: only a pending request, only before `expiresAt`. */
  decidePaymentRequest(paymentRequestId: string, decision: PaymentDecision): Promise<PaymentDecisionOutcome>;
  /** Records the access token issued on an approved request (the last one wins). */
  bindPaymentToken(paymentRequestId: string, token: BoundPaymentToken): Promise<void>;
  /**
   * The payment API reports the payment executed or cancelled: an approved request moves to that
   * status and its grant is revoked, the grant first (on Redis two steps, not one), so its token is
   * inactive before the status says so and by the time this resolves `completed`.
   */
  completePaymentRequest(
    paymentRequestId: string,
    status: 'executed' | 'cancelled',
    completedAt: number,
  ): Promise<PaymentCompletionOutcome>;
}

export type PushedRequestUse =
  | { readonly outcome: 'used'; readonly record: PushedRequestRecord }
  /** Pushed by another client: nothing changed, the owner can still use it. */
  | { readonly outcome: 'foreign' }
  /** Unknown, expired or used already. */
  | { readonly outcome: 'unknown' };

export interface PushedRequestStore {
  /** Keyed by the SHA-256 of the `request_uri`; kept until `expiresAt`. */
  savePushedRequest(requestUri: string, record: PushedRequestRecord): Promise<void>;
  /** RFC 9126 §4: single use and bound to the client that pushed it; atomic. */
  usePushedRequest(requestUri: string, clientId: string): Promise<PushedRequestUse>;
}

/** How long a payment request stays readable by the payment API after its approval window closed. */
export const PAYMENT_REQUEST_RETENTION_SECONDS = 24 * 3600;
