import { type AuthenticatedClient, refuseSuspendedScopes } from '@psd2/client-authentication';
import { type FormBody, parseInput } from '@psd2/http';
import type { Logger } from '@psd2/logging';
import type { PaymentInitiationDetail } from '@psd2/payment-details';
import type { AccessTokenRecord, TokenStore } from '@psd2/token-store';
import type { z } from 'zod';
import type { GrantUseRecorder } from '../grant-use.js';

export interface TokenSettings {
  readonly accessTokenTtlSeconds: number;
  /** The lifetime of an access token for one approved payment (pisp by the code flow). */
  readonly paymentAccessTokenTtlSeconds: number;
  /** Off by default (FAPI 2.0): a refresh returns a new access token and the refresh token stays valid. */
  readonly refreshTokenRotation: boolean;
  /** With rotation: how long the previous refresh token may be retried with the same certificate. */
  readonly refreshTokenReuseGraceSeconds: number;
}

export interface GrantContext {
  readonly authenticated: AuthenticatedClient;
  readonly store: TokenStore;
  readonly settings: TokenSettings;
  readonly log: Logger;
  readonly nowSeconds: number;
  /** A token issued from a grant is a use of it (the customer page's "last used"). */
  readonly grantUse: GrantUseRecorder;
}

/** RFC 6749 §5.1 successful response. */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
  readonly refresh_token?: string;
  /** RFC 9396 §7: the authorization details the token was granted for (a payment consent). */
  readonly authorization_details?: readonly PaymentInitiationDetail[];
}

/** An access token bound to the certificate presented on this request (RFC 8705 §3). */
export function accessTokenRecord(
  context: GrantContext,
  fields: {
    readonly scope: string;
    readonly subject?: string;
    readonly grantId?: string;
    /** Default: the setting for every access token (accessTokenTtlSeconds). */
    readonly lifetimeSeconds?: number;
  },
): AccessTokenRecord {
  const { client, certificate } = context.authenticated;
  // Every grant type builds its access token here, so this is the one place a scope of a role the bank
  // suspended (issue 18) is refused: 400 unauthorized_client, before anything is stored.
  refuseSuspendedScopes(client, fields.scope);
  return {
    clientId: client.clientId,
    organizationId: client.organizationId,
    scope: fields.scope,
    ...(fields.subject === undefined ? {} : { subject: fields.subject }),
    ...(fields.grantId === undefined ? {} : { grantId: fields.grantId }),
    issuedAt: context.nowSeconds,
    expiresAt: context.nowSeconds + (fields.lifetimeSeconds ?? context.settings.accessTokenTtlSeconds),
    certificateThumbprint: certificate.x5tS256,
  };
}

/** RFC 6749 §5.1: the answer for an access token (and a refresh token) just stored. */
export function tokenResponse(
  accessToken: string,
  record: AccessTokenRecord,
  refreshToken?: string,
): TokenResponse {
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: record.expiresAt - record.issuedAt,
    scope: record.scope,
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
  };
}

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';

/**
 * A grant type the token endpoint serves. The endpoint checks once, for every grant, that the client
 * is registered for it; the grant declares the parameters it reads (unknown ones are ignored, repeated
 * ones refused: RFC 6749 §3.2) and issues tokens.
 */
export interface Grant {
  readonly type: GrantType;
  issue(context: GrantContext, body: FormBody): Promise<TokenResponse>;
}

/** A grant from its parameter schema, built once at start-up, and what it does with the parameters. */
export function defineGrant<P>(
  type: GrantType,
  parameters: z.ZodType<P>,
  issue: (context: GrantContext, parameters: P) => Promise<TokenResponse>,
): Grant {
  return { type, issue: (context, body) => issue(context, parseInput(parameters, body, 'body')) };
}
