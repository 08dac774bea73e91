import { subjectDnMatches } from '@psd2/client-authentication';
import { redirectUriProblem } from '@psd2/client-metadata';
import { checkScopes, type GrantType, grantTypesProblem, type Psd2Role, parseScope } from '@psd2/scopes';
import { metadataError, redirectError } from './metadata-members.js';

/*
 * The rules registration adds to the shared schema: what this server supports, how PSD2 scopes and
 * grants go together, and what the certificate presented with the request allows. Pure functions, each
 * unit-tested on its own.
 */

/** What the certificate presented with the request says, and, on RFC 7592 PUT, what is stored now. */
export interface MetadataContext {
  readonly certificate: { readonly roles: readonly Psd2Role[]; readonly subjectDn: string };
  readonly update?: {
    readonly clientId: string;
    /** The subject DN the client is registered with before this PUT (what a GET returned). */
    readonly currentSubjectDn: string;
  };
}

const SUPPORTED_GRANT_TYPES: readonly GrantType[] = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
];
const SUPPORTED_RESPONSE_TYPES = ['code'] as const;
const AUTH_METHOD = 'tls_client_auth';

/** RFC 7591 §2: grant_types defaults to authorization_code; this server knows three grants. */
export function checkGrantTypes(grantTypes: readonly string[] | undefined): GrantType[] {
  const value = grantTypes ?? ['authorization_code'];
  if (value.length === 0) throw metadataError('grant_types must not be empty.');
  for (const grant of value) {
    if (!(SUPPORTED_GRANT_TYPES as readonly string[]).includes(grant)) {
      throw metadataError(
        `grant_types: "${grant}" is not supported; use ${SUPPORTED_GRANT_TYPES.join(', ')}.`,
      );
    }
  }
  return value as GrantType[];
}

/**
 * RFC 7591 §2: only the `code` response type exists here (no implicit flow, RFC 9700 §2.1.2). When
 * omitted it follows the grant types, so a client_credentials-only client does not inherit `code`.
 */
export function checkResponseTypes(
  responseTypes: readonly string[] | undefined,
  grantTypes: readonly GrantType[],
): string[] {
  const value = responseTypes ?? (grantTypes.includes('authorization_code') ? ['code'] : []);
  for (const type of value) {
    if (!(SUPPORTED_RESPONSE_TYPES as readonly string[]).includes(type)) {
      throw metadataError(`response_types: "${type}" is not supported; only "code" is.`);
    }
  }
  return [...value];
}

/** RFC 7591 §2.1: the `code` response type and the authorization_code grant go together. */
export function checkGrantAndResponseTypesAgree(
  grantTypes: readonly GrantType[],
  responseTypes: readonly string[],
): void {
  const usesCode = grantTypes.includes('authorization_code');
  if (usesCode && !responseTypes.includes('code')) {
    throw metadataError('grant_types includes authorization_code, so response_types must include "code".');
  }
  if (!usesCode && responseTypes.includes('code')) {
    throw metadataError('response_types includes "code", so grant_types must include authorization_code.');
  }
}

/** RFC 8705 §2.1: tls_client_auth is the only client authentication this server offers. */
export function checkAuthMethod(method: string | undefined): string {
  if (method !== undefined && method !== AUTH_METHOD) {
    throw metadataError(`token_endpoint_auth_method must be "${AUTH_METHOD}" (RFC 8705 §2.1).`);
  }
  return AUTH_METHOD;
}

/**
 * RFC 8705 §2.1.2: the client authenticates with a certificate whose subject matches
 * tls_client_auth_subject_dn, which defaults to the subject of the certificate presented now. Another
 * value could never authenticate with this certificate. RFC 7592 §2.2 lets an update's invalid values be
 * replaced by suitable ones: after a renewal, the DN a GET returned (the old certificate's) becomes the
 * new certificate's subject, so echoing what was read never forces the TPP to edit it.
 */
export function checkSubjectDn(sent: string | undefined, context: MetadataContext): string {
  const presented = context.certificate.subjectDn;
  if (sent === undefined) return presented;
  if (subjectDnMatches(presented, sent)) return sent;
  if (context.update !== undefined && sent === context.update.currentSubjectDn) return presented;
  throw metadataError(
    `tls_client_auth_subject_dn must be the subject of the certificate presented with this request ("${presented}"); leave it out to use that one (RFC 8705 §2.1.2).`,
  );
}

/**
 * RFC 7591 §2 `scope`, RFC 6749 §3.3 syntax. Required: a PSD2 client says what it will ask for, and the
 * scope decides the grant types. Each scope needs its PSD2 role in the certificate (ETSI TS 119 495
 * §5.1: PSP_AI aisp and extended_transaction_history, PSP_IC cbpii, PSP_PI pisp).
 */
export function checkScope(scope: string | undefined, roles: readonly Psd2Role[]): string[] {
  if (scope === undefined) {
    throw metadataError(
      'scope is required: the PSD2 scopes this client will request (aisp, extended_transaction_history, cbpii, pisp), space-separated.',
    );
  }
  const scopes = parseScope(scope);
  if (scopes === undefined || scopes.length === 0) {
    throw metadataError('scope must be space-separated scope values (RFC 6749 §3.3).');
  }
  const check = checkScopes({ requested: scopes, roles });
  if (!check.ok) throw metadataError(`scope: ${check.description}`);
  return [...check.scopes];
}

/**
 * The PSD2 pairing of scopes and grants (@psd2/scopes): pisp is obtained with client_credentials (the
 * PISP's own token) or authorization_code (one payment the customer approved), never refreshed; aisp
 * and cbpii with authorization_code and refresh_token. Every scope must be obtainable with a registered
 * grant, and no grant may be registered that no scope uses (RFC 7591 §2: grant_types says what the
 * client will use), so a pisp-only client never holds refresh_token.
 */
export function checkScopeMatchesGrantTypes(
  scopes: readonly string[],
  grantTypes: readonly GrantType[],
): void {
  const problem = grantTypesProblem(scopes, grantTypes);
  if (problem !== undefined) throw metadataError(problem);
}

/**
 * RFC 7591 §2 `redirect_uris`, required for the authorization_code grant. Each is an absolute https URI
 * (RFC 6749 §3.1.2.1, RFC 9700 §4.1), without fragment (RFC 6749 §3.1.2) or wildcard, stored as sent and
 * later compared exactly (RFC 9700 §4.1.3).
 */
export function checkRedirectUris(
  uris: readonly string[] | undefined,
  grantTypes: readonly GrantType[],
): string[] {
  const needed = grantTypes.includes('authorization_code');
  if (!needed) {
    if (uris !== undefined && uris.length > 0) {
      throw metadataError(
        'redirect_uris are used only by the authorization_code grant, which is not registered.',
      );
    }
    return [];
  }
  if (uris === undefined || uris.length === 0) {
    throw redirectError('redirect_uris is required with the authorization_code grant (RFC 7591 §2).');
  }
  for (const uri of uris) checkRedirectUri(uri);
  return [...uris];
}

/** One redirect URI; see checkRedirectUris. */
export function checkRedirectUri(uri: string): void {
  const problem = redirectUriProblem(uri);
  if (problem !== undefined) throw redirectError(problem);
}
