import { subjectDnMatches } from '@psd2/client-authentication';
import type { ClientMetadata } from '@psd2/client-registry-client';
import {
  InvalidClientMetadataError,
  InvalidRedirectUriError,
  InvalidSoftwareStatementError,
} from '@psd2/oauth-errors';
import { checkScopes, type GrantType, grantTypesForScopes, type Psd2Role, parseScope } from '@psd2/scopes';
import { checkJwks, checkMetadataDepth } from './metadata-shape.js';

export { checkJwks } from './metadata-shape.js';

/*
 * RFC 7591 client metadata, checked field by field and then for consistency. Pure functions: no I/O,
 * every rule exported and unit-tested on its own. Each refusal is a standard RFC 7591 §3.2.2 error whose
 * description names the field and says what is wrong, because a TPP integrating by hand can only fix
 * what it is told about. Fields this server does not understand are ignored (RFC 7591 §2).
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

type Raw = Readonly<Record<string, unknown>>;

const SUPPORTED_GRANT_TYPES: readonly GrantType[] = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
];
const SUPPORTED_RESPONSE_TYPES = ['code'] as const;
const AUTH_METHOD = 'tls_client_auth';

const MAX_URI = 2048;
const MAX_NAME = 200;
const MAX_IDENTIFIER = 255;
const MAX_REDIRECT_URIS = 20;
const MAX_CONTACTS = 10;
const MAX_LOCALIZED_NAMES = 20;
/** BCP 47 language tag, as RFC 7591 §2.2 asks for after `#` (syntax only, not the registry of tags). */
const LANGUAGE_TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
/** Printable ASCII without space: a redirect URI is compared byte for byte, so nothing invisible. */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

// Descriptions echo what the client sent; the one serializer maps them onto RFC 6749 §5.2's characters.
const metadataError = (description: string) => new InvalidClientMetadataError({ description });
const redirectError = (description: string) => new InvalidRedirectUriError({ description });

/** RFC 7591 §3.1: the registration request is a JSON object whose members are the metadata. */
export function requireJsonObject(body: unknown): Raw {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw metadataError('The request body must be a JSON object of client metadata.');
  }
  return body as Raw;
}

/**
 * RFC 7591 §2.3 and §3.1.1: software statements are optional for a server to support. This one does
 * not (the QWAC already says who the TPP is), and says so rather than silently ignoring a signed
 * statement the TPP may believe constrains its registration.
 */
export function refuseSoftwareStatement(raw: Raw): void {
  if (raw.software_statement !== undefined) {
    throw new InvalidSoftwareStatementError({
      description:
        'software_statement is not supported by this server: send the client metadata as plain JSON members; the QWAC identifies the TPP.',
    });
  }
}

/** RFC 8705 §2: a tls_client_auth client has no secret; a client_secret would never be checked. */
export function refuseClientSecret(raw: Raw): void {
  if (raw.client_secret !== undefined || raw.client_secret_expires_at !== undefined) {
    throw metadataError(
      'client_secret is not supported: clients authenticate with their QWAC (tls_client_auth, RFC 8705).',
    );
  }
}

/**
 * RFC 7592 §2.2: an update names the client it updates and must not carry the fields only the server
 * issues. A different client_id is refused: it can never be changed.
 */
export function checkUpdateFields(raw: Raw, clientId: string): void {
  if (raw.client_id !== clientId) {
    throw metadataError(
      'client_id must be present and equal to the client identifier in the URL; it cannot be changed (RFC 7592 §2.2).',
    );
  }
  for (const field of ['registration_access_token', 'registration_client_uri', 'client_id_issued_at']) {
    if (raw[field] !== undefined) {
      throw metadataError(
        `${field} must not be sent in an update: only the server issues it (RFC 7592 §2.2).`,
      );
    }
  }
}

/** RFC 7591 §2: string-valued metadata. `null` counts as absent, as many clients send it for "none". */
export function readString(raw: Raw, field: string, maxLength: number): string | undefined {
  const value = raw[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw metadataError(`${field} must be a string.`);
  const trimmed = value.trim();
  if (trimmed.length === 0) throw metadataError(`${field} must not be empty.`);
  if (trimmed.length > maxLength) throw metadataError(`${field} must be at most ${maxLength} characters.`);
  return trimmed;
}

/** RFC 7591 §2: array-of-strings metadata; duplicates are refused rather than silently merged. */
export function readStringList(
  raw: Raw,
  field: string,
  limits: { readonly maxItems: number; readonly maxLength: number },
): string[] | undefined {
  const value = raw[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw metadataError(`${field} must be an array of strings.`);
  if (value.length > limits.maxItems)
    throw metadataError(`${field} must have at most ${limits.maxItems} entries.`);
  const items: string[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'string' || item.trim().length === 0) {
      throw metadataError(`${field} must hold only non-empty strings.`);
    }
    const trimmed = item.trim();
    if (trimmed.length > limits.maxLength) {
      throw metadataError(`each entry of ${field} must be at most ${limits.maxLength} characters.`);
    }
    if (items.includes(trimmed)) throw metadataError(`${field} lists "${trimmed}" twice.`);
    items.push(trimmed);
  }
  return items;
}

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
 * The PSD2 pairing of scopes and grants: pisp is obtained with client_credentials, aisp and cbpii with
 * authorization_code and refresh_token. Every grant a scope needs must be registered, and no grant may
 * be registered that no scope uses (RFC 7591 §2: grant_types says what the client will use).
 */
export function checkScopeMatchesGrantTypes(
  scopes: readonly string[],
  grantTypes: readonly GrantType[],
): void {
  for (const scope of scopes) {
    for (const needed of grantTypesForScopes([scope])) {
      if (!grantTypes.includes(needed)) {
        throw metadataError(`grant_types must include ${needed}: the scope "${scope}" is obtained with it.`);
      }
    }
  }
  const used = grantTypesForScopes(scopes);
  for (const grant of grantTypes) {
    if (!used.includes(grant)) {
      throw metadataError(
        `grant_types must not include ${grant}: no requested scope uses it (pisp goes with client_credentials; aisp and cbpii with authorization_code and refresh_token).`,
      );
    }
  }
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
  if (!VISIBLE_ASCII.test(uri)) {
    throw redirectError(
      `redirect_uris: "${printable(uri)}" must be printable ASCII without spaces; percent-encode the rest.`,
    );
  }
  if (uri.includes('*')) {
    throw redirectError(`redirect_uris: "${printable(uri)}" contains a wildcard; register each URI exactly.`);
  }
  if (!URL.canParse(uri)) throw redirectError(`redirect_uris: "${printable(uri)}" is not an absolute URI.`);
  const url = new URL(uri);
  if (url.protocol !== 'https:') throw redirectError(`redirect_uris: "${printable(uri)}" must use https.`);
  if (uri.includes('#'))
    throw redirectError(`redirect_uris: "${printable(uri)}" must not have a fragment (RFC 6749 §3.1.2).`);
  if (url.username !== '' || url.password !== '') {
    throw redirectError(`redirect_uris: "${printable(uri)}" must not carry user information.`);
  }
}

/** RFC 7591 §2 URI metadata (logo_uri, client_uri, policy_uri, tos_uri, jwks_uri): absolute https URLs. */
export function checkHttpsUri(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (!VISIBLE_ASCII.test(value) || !URL.canParse(value) || new URL(value).protocol !== 'https:') {
    throw metadataError(`${field} must be an absolute https URL.`);
  }
  return value;
}

/** RFC 7591 §2.2: `client_name#<language tag>`, e.g. client_name#fr; only client_name is localised here. */
export function readLocalizedNames(raw: Raw): Record<string, string> | undefined {
  const names: Record<string, string> = {};
  let count = 0;
  for (const key of Object.keys(raw)) {
    if (!key.startsWith('client_name#')) continue;
    const tag = key.slice('client_name#'.length);
    if (!LANGUAGE_TAG.test(tag)) {
      throw metadataError(`${printable(key)}: "${printable(tag)}" is not a language tag (BCP 47).`);
    }
    const name = readString(raw, key, MAX_NAME);
    if (name === undefined) continue;
    count += 1;
    if (count > MAX_LOCALIZED_NAMES) {
      throw metadataError(`at most ${MAX_LOCALIZED_NAMES} localised client names are accepted.`);
    }
    names[tag] = name;
  }
  return count === 0 ? undefined : names;
}

/**
 * The whole request: structure first, then each field, then consistency between them, so the first
 * problem reported is the most basic one. Returns the metadata to store, defaults filled in.
 */
export function validateClientMetadata(body: unknown, context: MetadataContext): ClientMetadata {
  checkMetadataDepth(body);
  const raw = requireJsonObject(body);
  refuseSoftwareStatement(raw);
  refuseClientSecret(raw);
  if (context.update !== undefined) checkUpdateFields(raw, context.update.clientId);

  const grantTypes = checkGrantTypes(readStringList(raw, 'grant_types', { maxItems: 3, maxLength: 64 }));
  const responseTypes = checkResponseTypes(
    readStringList(raw, 'response_types', { maxItems: 1, maxLength: 64 }),
    grantTypes,
  );
  checkGrantAndResponseTypesAgree(grantTypes, responseTypes);
  const tokenEndpointAuthMethod = checkAuthMethod(readString(raw, 'token_endpoint_auth_method', 64));
  const scopes = checkScope(readString(raw, 'scope', 512), context.certificate.roles);
  checkScopeMatchesGrantTypes(scopes, grantTypes);
  const redirectUris = checkRedirectUris(
    readStringList(raw, 'redirect_uris', { maxItems: MAX_REDIRECT_URIS, maxLength: MAX_URI }),
    grantTypes,
  );
  const tlsClientAuthSubjectDn = checkSubjectDn(
    readString(raw, 'tls_client_auth_subject_dn', MAX_URI),
    context,
  );
  const jwksUri = checkHttpsUri(readString(raw, 'jwks_uri', MAX_URI), 'jwks_uri');
  const jwks = checkJwks(raw.jwks, jwksUri);

  return {
    redirectUris,
    grantTypes,
    responseTypes,
    scope: scopes.join(' '),
    tokenEndpointAuthMethod,
    tlsClientAuthSubjectDn,
    clientName: readString(raw, 'client_name', MAX_NAME),
    clientNameLocalized: readLocalizedNames(raw),
    contacts: readStringList(raw, 'contacts', { maxItems: MAX_CONTACTS, maxLength: 320 }),
    logoUri: checkHttpsUri(readString(raw, 'logo_uri', MAX_URI), 'logo_uri'),
    clientUri: checkHttpsUri(readString(raw, 'client_uri', MAX_URI), 'client_uri'),
    policyUri: checkHttpsUri(readString(raw, 'policy_uri', MAX_URI), 'policy_uri'),
    tosUri: checkHttpsUri(readString(raw, 'tos_uri', MAX_URI), 'tos_uri'),
    jwks,
    jwksUri,
    softwareId: readString(raw, 'software_id', MAX_IDENTIFIER),
    softwareVersion: readString(raw, 'software_version', MAX_IDENTIFIER),
  };
}

/** A value echoed in a description, bounded in length (the serializer does the escaping). */
function printable(value: string): string {
  return value.length > 100 ? `${value.slice(0, 100)}...` : value;
}
