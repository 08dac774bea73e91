/*
 * The PSD2 scope rules in one place, used by registration (what a client may register), the
 * authorization endpoint (what a PSU may be asked for) and the token endpoint (what a token may carry).
 *
 * | scope                          | certificate role | grants                               |
 * | aisp, extended_transaction_history | PSP_AI       | authorization_code, refresh_token    |
 * | cbpii                          | PSP_IC           | authorization_code, refresh_token    |
 * | pisp                           | PSP_PI           | client_credentials                   |
 */

export const SCOPES = ['aisp', 'extended_transaction_history', 'cbpii', 'pisp'] as const;
export type Scope = (typeof SCOPES)[number];

/** ETSI TS 119 495 roles, as `@psd2/certificates` names them. */
export type Psd2Role = 'PSP_AS' | 'PSP_PI' | 'PSP_AI' | 'PSP_IC';

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';

const ROLE_OF_SCOPE: Readonly<Record<Scope, Psd2Role>> = {
  aisp: 'PSP_AI',
  extended_transaction_history: 'PSP_AI',
  cbpii: 'PSP_IC',
  pisp: 'PSP_PI',
};

const GRANTS_OF_SCOPE: Readonly<Record<Scope, readonly GrantType[]>> = {
  aisp: ['authorization_code', 'refresh_token'],
  extended_transaction_history: ['authorization_code'],
  cbpii: ['authorization_code', 'refresh_token'],
  // Payment consent is a later piece of work; until then a PISP only gets client-credentials tokens.
  pisp: ['client_credentials'],
};

function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** RFC 6749 §3.3: space-delimited, case-sensitive tokens of printable ASCII except `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Parses a scope parameter into distinct scope tokens, in canonical order. Returns undefined when
 * the value is syntactically invalid (the caller answers `invalid_scope` or `invalid_request`).
 */
export function parseScope(value: string | undefined): string[] | undefined {
  if (value === undefined) return [];
  const tokens = value.split(' ').filter((token) => token.length > 0);
  if (tokens.some((token) => !SCOPE_TOKEN.test(token))) return undefined;
  return canonical([...new Set(tokens)]);
}

function canonical(tokens: readonly string[]): string[] {
  const rank = (token: string) => {
    const index = (SCOPES as readonly string[]).indexOf(token);
    return index === -1 ? SCOPES.length : index;
  };
  return [...tokens].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export function formatScope(scopes: readonly string[]): string {
  return canonical(scopes).join(' ');
}

export function scopesAllowedByRoles(roles: readonly Psd2Role[]): Scope[] {
  return SCOPES.filter((scope) => roles.includes(ROLE_OF_SCOPE[scope]));
}

/** The grant types a client needs for its scopes (registration derives or checks `grant_types` with it). */
export function grantTypesForScopes(scopes: readonly string[]): GrantType[] {
  const grants = new Set<GrantType>();
  for (const scope of scopes)
    if (isScope(scope)) for (const grant of GRANTS_OF_SCOPE[scope]) grants.add(grant);
  return [...grants];
}

/** `extended_transaction_history` needs a fresh SCA: a refreshed token never carries it. */
export function scopesForRefresh(scopes: readonly string[]): string[] {
  return scopes.filter((scope) => scope !== 'extended_transaction_history');
}

export type ScopeCheck =
  | { readonly ok: true; readonly scopes: readonly Scope[] }
  | {
      readonly ok: false;
      readonly reason:
        | 'empty'
        | 'unknown_scope'
        | 'not_registered'
        | 'role_forbids'
        | 'grant_forbids'
        | 'incomplete';
      /** A sentence for the client's `error_description`; names the scope, never anything secret. */
      readonly description: string;
    };

/**
 * Checks a requested set of scopes against everything that limits it: known scopes, the client's
 * registered scope (when given), the roles of the certificate presented now, and the grant type.
 */
export function checkScopes(request: {
  readonly requested: readonly string[];
  readonly roles: readonly Psd2Role[];
  readonly grantType?: GrantType;
  readonly registered?: readonly string[];
}): ScopeCheck {
  const { requested, roles, grantType, registered } = request;
  if (requested.length === 0) return { ok: false, reason: 'empty', description: 'A scope is required.' };
  for (const scope of requested) {
    if (!isScope(scope)) {
      return { ok: false, reason: 'unknown_scope', description: `The scope "${scope}" is not supported.` };
    }
    if (registered !== undefined && !registered.includes(scope)) {
      return {
        ok: false,
        reason: 'not_registered',
        description: `The scope "${scope}" is not registered for this client.`,
      };
    }
    if (!roles.includes(ROLE_OF_SCOPE[scope])) {
      return {
        ok: false,
        reason: 'role_forbids',
        description: `The scope "${scope}" requires the PSD2 role ${ROLE_OF_SCOPE[scope]} in the client certificate.`,
      };
    }
    if (grantType !== undefined && !GRANTS_OF_SCOPE[scope].includes(grantType)) {
      return {
        ok: false,
        reason: 'grant_forbids',
        description: `The scope "${scope}" cannot be obtained with the ${grantType} grant.`,
      };
    }
  }
  if (requested.includes('extended_transaction_history') && !requested.includes('aisp')) {
    return {
      ok: false,
      reason: 'incomplete',
      description: 'The scope "extended_transaction_history" is only granted together with "aisp".',
    };
  }
  return { ok: true, scopes: canonical(requested) as Scope[] };
}
