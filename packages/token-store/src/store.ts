import type { GrantIndexStore } from './grant-index.js';
import type { GrantUsageStore } from './grant-usage.js';
import type { PaymentRequestStore, PushedRequestStore } from './payment-store.js';
import type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  GrantRecord,
  RefreshTokenRecord,
} from './records.js';

export type CodeRedemption =
  | { readonly outcome: 'redeemed'; readonly record: AuthorizationCodeRecord }
  /**
   * Used before by the same client: the store has already revoked the grant and so every token
   * issued from the code (RFC 6749 §4.1.2).
   */
  | { readonly outcome: 'replayed'; readonly record: AuthorizationCodeRecord }
  /** Issued to another client: nothing was changed, whatever the code's state. */
  | { readonly outcome: 'foreign' }
  | { readonly outcome: 'unknown' };

export interface CodePeek {
  readonly state: 'unused' | 'redeemed';
  readonly record: AuthorizationCodeRecord;
}

export type RefreshTokenLookup =
  | { readonly state: 'active'; readonly record: RefreshTokenRecord }
  /**
   * Already exchanged for a new one (rotation). `successor` is the key (SHA-256) of the token it was
   * exchanged for, absent for records retired before successors were remembered.
   */
  | { readonly state: 'rotated'; readonly record: RefreshTokenRecord; readonly successor?: string };

export interface IssuedTokens {
  readonly accessToken: string;
  readonly accessRecord: AccessTokenRecord;
  readonly refreshToken: string;
  readonly refreshRecord: RefreshTokenRecord;
}

/** Who presents a refresh token: the authenticated client and the certificate on this request. */
export interface RefreshPresenter {
  readonly clientId: string;
  readonly certificateThumbprint: string;
}

export interface RotationRequest {
  readonly grantId: string;
  readonly presenter: RefreshPresenter;
  readonly next: IssuedTokens;
  /**
   * How long after its rotation a retired token, presented with the same certificate, still counts as
   * a retry of a request whose answer was lost rather than as reuse. 0: never.
   */
  readonly reuseGraceSeconds: number;
  /** For a retired token: the successor the caller saw when it looked the token up. */
  readonly expectedSuccessor?: string;
}

export type RotationOutcome =
  /** The token was active: it is retired and `next` is stored. */
  | 'rotated'
  /**
   * A retry within the grace window: the token's successor (never used) is retired in turn and `next`
   * stored, so that one refresh token of the grant stays active.
   */
  | 'retried'
  /**
   * Reuse: a retired token outside the grace window, from another certificate, or whose successor was
   * used already (or a lost race with grace 0). The grant is now revoked.
   */
  | 'reused'
  /** The token's successor changed since `expectedSuccessor` was read: look it up again. Nothing changed. */
  | 'raced'
  /** Another client's token, or an active token presented with another certificate. Nothing changed. */
  | 'refused'
  /** The grant or client was revoked, or the grant expired. */
  | 'revoked'
  | 'unknown';

/**
 * Codes, grants and tokens. Every method takes the secret VALUES and keys records by their SHA-256;
 * no implementation stores a value in clear. Single-use operations are atomic: of two concurrent
 * redemptions of one code or rotations of one refresh token, exactly one succeeds.
 *
 * Revocation is by lineage rather than by listing tokens: a token is active only while its grant
 * exists and its client has not been revoked, so revoking a grant or a client is one write however
 * many tokens hang off it.
 */
export interface TokenStore
  extends PaymentRequestStore,
    PushedRequestStore,
    GrantIndexStore,
    GrantUsageStore {
  /** Stores the grant and indexes it under its subject (listGrantsOfSubject). */
  createGrant(grant: GrantRecord): Promise<void>;
  /** The grant while it is active (not revoked, not expired, client not revoked). */
  findGrant(grantId: string): Promise<GrantRecord | undefined>;
  revokeGrant(grantId: string): Promise<void>;

  saveAuthorizationCode(code: string, record: AuthorizationCodeRecord): Promise<void>;
  /**
   * Reads a code without using it, so that a request with the wrong client, redirect URI or PKCE
   * verifier can be refused without burning the code of the TPP it was issued to.
   */
  peekAuthorizationCode(code: string): Promise<CodePeek | undefined>;
  /**
   * Uses a code once. The replay penalty (grant revoked) applies only when `clientId` is the client the
   * code was issued to: another client's attempt changes nothing (`foreign`), whatever the code's state.
   */
  redeemAuthorizationCode(code: string, clientId: string): Promise<CodeRedemption>;

  saveAccessToken(token: string, record: AccessTokenRecord): Promise<void>;
  /** The record while the token is active: not expired, not revoked, grant and client not revoked. */
  findAccessToken(token: string): Promise<AccessTokenRecord | undefined>;
  /**
   * findAccessToken for a holder of the token's SHA-256 only (`hashSecret`, as a payment request's
   * bound token keeps it): the payment API must hear the answer introspection gives, never a value.
   */
  findAccessTokenByHash(hash: string): Promise<AccessTokenRecord | undefined>;
  /** Revokes this access token only. Returns whether it existed. */
  revokeAccessToken(token: string): Promise<boolean>;

  saveRefreshToken(token: string, record: RefreshTokenRecord): Promise<void>;
  /** The record while its grant and client are active, saying whether the token was already rotated. */
  lookupRefreshToken(token: string): Promise<RefreshTokenLookup | undefined>;
  /**
   * Atomically retires `oldToken` and stores its successor with a new access token, or recognises a
   * retry within the grace window, or punishes reuse by revoking the grant (see RotationOutcome).
   */
  rotateRefreshToken(oldToken: string, request: RotationRequest): Promise<RotationOutcome>;

  /** Makes every code, grant and token of the client inactive at once (client deleted). */
  revokeClient(clientId: string): Promise<void>;
  /**
   * Undoes `revokeClient` when the client's deletion did not happen after all (the registry refused or
   * failed it): the client's tokens are active again, as if the DELETE had never been tried.
   */
  restoreClient(clientId: string): Promise<void>;

  /**
   * An operator suspended the client (its organisation lost its authorisation): from now on every code,
   * grant, access and refresh token of the client is inactive, those issued later too, until
   * `reinstateClient`. Idempotent. A deleted client stays deleted.
   */
  suspendClient(clientId: string): Promise<void>;
  /**
   * Starts a new period for the client: everything issued before it stays inactive for good, what is
   * issued from now on is active, except records whose scope holds one of `refusedScopes` (the scopes
   * of the client's roles still suspended). Lifts `suspendClient`; with `refusedScopes` it is also how
   * a role suspension begins. Resolves only once the clock has passed the period's first second, so a
   * token issued right after is never caught. Idempotent: a client already in a period refusing the
   * same scopes keeps it; a client with no marker and no scope to refuse is left alone. A deleted
   * client stays deleted.
   */
  reinstateClient(clientId: string, refusedScopes?: readonly string[]): Promise<void>;

  /** Resolves when the store answers; for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Seconds left until `expiresAt`, at least 1 so that a record is never stored without a TTL. */
export function secondsUntil(expiresAt: number, nowSeconds: number): number {
  return Math.max(1, Math.ceil(expiresAt - nowSeconds));
}

/** How long a redeemed code is remembered so that a replay can still be detected and punished. */
export const REDEEMED_CODE_RETENTION_SECONDS = 3600;

/**
 * How long a client revocation is remembered: longer than anything of the client can live (a grant
 * lasts at most 180 days), after which there is nothing left to refuse.
 */
export const CLIENT_REVOCATION_RETENTION_SECONDS = 181 * 24 * 3600;
