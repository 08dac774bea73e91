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
