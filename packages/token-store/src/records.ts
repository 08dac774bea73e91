import type { PaymentInitiationDetail } from '@psd2/payment-details';

/*
 * What the store keeps. Times are Unix seconds, as they appear in token responses and introspection
 * (RFC 7662 `iat`, `exp`). None of these records holds a token value: the store is keyed by the
 * SHA-256 of each value.
 */

/** A PSU's consent to one client for one scope (PSD2: a fresh SCA at least every 180 days). */
export interface GrantRecord {
  readonly grantId: string;
  readonly clientId: string;
  readonly organizationId: string;
  /** The PSU who consented. */
  readonly subject: string;
  readonly scope: string;
  /** When the PSU authenticated (SCA); the grant ends 180 days later whatever the refreshes. */
  readonly authTime: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** RFC 9396: what the PSU approved beyond the scope (a payment, for `pisp` by the code flow). */
  readonly authorizationDetails?: readonly PaymentInitiationDetail[];
  /** The payment request this consent approved (`pisp` by the code flow only). */
  readonly paymentRequestId?: string;
}

/** RFC 6749 §4.1.2: single use, short-lived, bound to client, redirect URI, PKCE challenge and grant. */
export interface AuthorizationCodeRecord {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly grantId: string;
  readonly subject: string;
  /** RFC 7636 S256 challenge; absent only when PKCE is not required by configuration. */
  readonly codeChallenge?: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** An access token's facts, as introspection reports them (RFC 7662, RFC 8705 §3.1). */
export interface AccessTokenRecord {
  readonly clientId: string;
  readonly organizationId: string;
  readonly scope: string;
  /** The PSU, for tokens from an authorization code; absent for client credentials. */
  readonly subject?: string;
  /** The grant the token came from; absent for client credentials. */
  readonly grantId?: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** `cnf.x5t#S256`: base64url SHA-256 of the certificate the token is bound to. */
  readonly certificateThumbprint: string;
}

/** A refresh token's facts (RFC 6749 §6), bound like access tokens to a certificate (RFC 8705 §3). */
export interface RefreshTokenRecord {
  readonly grantId: string;
  readonly clientId: string;
  readonly scope: string;
  readonly issuedAt: number;
  /** The grant's expiry: a refresh token never outlives its consent. */
  readonly expiresAt: number;
  /** base64url SHA-256 of the certificate it was issued to; only that certificate may present it. */
  readonly certificateThumbprint: string;
}

/*
 * Payment consent (RFC 9396 `payment_initiation`). A payment request is what the customer is asked to
 * approve: registered by the bank's payment API (STET path) or created from a PISP's pushed request
 * (PAR). Its life: pending → approved | rejected (the customer, once, before `expiresAt`); approved →
 * executed | cancelled (the payment API, which also ends the consent's token).
 */

export type PaymentRequestStatus = 'pending' | 'approved' | 'rejected' | 'executed' | 'cancelled';

/** The access token issued on an approved payment request, as the payment API may match it. */
export interface BoundPaymentToken {
  /** SHA-256 (base64url) of the access token value: never the value itself. */
  readonly accessTokenHash: string;
  /** `cnf.x5t#S256` of the certificate the token is bound to. */
  readonly certificateThumbprint: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export interface PaymentRequestRecord {
  /** Opaque and unguessable (128 random bits): it travels in the customer's browser. */
  readonly paymentRequestId: string;
  /** The PISP the payment belongs to: no other client may use the request. */
  readonly clientId: string;
  readonly detail: PaymentInitiationDetail;
  /** Who registered it: the bank's payment API or a PISP's pushed authorization request. */
  readonly origin: 'payment_api' | 'pushed';
  /** The payment API's own resource id (STET `paymentRequestResourceId`); payment API origin only. */
  readonly resourceId?: string;
  readonly status: PaymentRequestStatus;
  readonly createdAt: number;
  /** The customer must decide before this time; an undecided request is `expired` after it. */
  readonly expiresAt: number;
  readonly decidedAt?: number;
  /** The customer who decided. */
  readonly subject?: string;
  /** The consent created by the approval: revoked when the payment is executed or cancelled. */
  readonly grantId?: string;
  /** The dynamic-linking value (PSD2 RTS Art. 5) the customer's authentication was bound to. */
  readonly scaBinding?: string;
  readonly token?: BoundPaymentToken;
  readonly completedAt?: number;
}

/** What the customer's decision writes on a pending request. */
export type PaymentDecision =
  | {
      readonly outcome: 'approved';
      readonly subject: string;
      readonly grantId: string;
      readonly scaBinding: string;
      readonly decidedAt: number;
    }
  | { readonly outcome: 'rejected'; readonly subject?: string; readonly decidedAt: number };

/** RFC 9126: an authorization request pushed by a client, used once through its `request_uri`. */
export interface PushedRequestRecord {
  readonly clientId: string;
  /** The authorization request parameters as pushed and validated (single values). */
  readonly parameters: Readonly<Record<string, string>>;
  /** The payment request created from the pushed `authorization_details`, if any. */
  readonly paymentRequestId?: string;
  readonly expiresAt: number;
}
