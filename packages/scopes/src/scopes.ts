/*
 * The PSD2 scope rules in one place, used by registration (what a client may register), the
 * authorization endpoint (what a PSU may be asked for) and the token endpoint (what a token may carry).
 *
 * | scope                          | certificate role | obtained with                    | refreshed |
 * | aisp                           | PSP_AI           | authorization_code               | yes       |
 * | extended_transaction_history   | PSP_AI (+ aisp)  | authorization_code               | never     |
 * | cbpii                          | PSP_IC           | authorization_code               | yes       |
 * | pisp                           | PSP_PI           | client_credentials or            | never     |
 * |                                |                  | authorization_code (one payment) |           |
 *
 * A pisp token from the code flow carries exactly one payment the customer approved (RFC 9396
 * authorization_details); it is never refreshed, since every payment needs its own SCA (PSD2 RTS
 * Art. 5 dynamic linking). A scope that is refreshed needs refresh_token registered beside the code.
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

/** The grants that first issue a token of the scope; a client registers at least one of them. */
const OBTAINED_WITH: Readonly<Record<Scope, readonly GrantType[]>> = {
  aisp: ['authorization_code'],
  extended_transaction_history: ['authorization_code'],
  cbpii: ['authorization_code'],
  pisp: ['client_credentials', 'authorization_code'],
};

/** The scopes a refresh token carries on: the long-lived consents (180 days) only. */
const REFRESHED: readonly Scope[] = ['aisp', 'cbpii'];

/** Every grant that may issue a token of the scope. */
function grantsOf(scope: Scope): readonly GrantType[] {
  return REFRESHED.includes(scope) ? [...OBTAINED_WITH[scope], 'refresh_token'] : OBTAINED_WITH[scope];
}

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

/** Every grant type that may issue a token of one of these scopes (nothing else belongs in `grant_types`). */
export function grantTypesForScopes(scopes: readonly string[]): GrantType[] {
  const grants = new Set<GrantType>();
  for (const scope of scopes) if (isScope(scope)) for (const grant of grantsOf(scope)) grants.add(grant);
  return [...grants];
}

/**
 * Whether registered `grant_types` fit the scopes, as a sentence for `invalid_client_metadata`:
 * each scope can be obtained with a registered grant, a refreshed scope obtained by the code also has
 * refresh_token, and no grant is registered that no scope uses (RFC 7591 §2: grant_types says what the
 * client will use). Undefined when they fit.
 */
export function grantTypesProblem(
  scopes: readonly string[],
  grantTypes: readonly GrantType[],
): string | undefined {
  for (const scope of scopes) {
    if (!isScope(scope)) continue;
    const ways = OBTAINED_WITH[scope];
    if (!ways.some((grant) => grantTypes.includes(grant))) {
      return `grant_types must include ${ways.join(' or ')}: the scope "${scope}" is obtained with it.`;
    }
    if (REFRESHED.includes(scope) && !grantTypes.includes('refresh_token')) {
      return `grant_types must include refresh_token: the scope "${scope}" is kept up with it.`;
    }
  }
  const used = grantTypesForScopes(scopes);
  for (const grant of grantTypes) {
    if (!used.includes(grant)) {
      return `grant_types must not include ${grant}: no requested scope uses it (pisp goes with client_credentials or authorization_code, never refresh_token; aisp and cbpii with authorization_code and refresh_token).`;
    }
  }
  return undefined;
}

/**
 * What a refresh token issued with these scopes carries: `extended_transaction_history` needs a fresh
 * SCA, and `pisp` is one payment's consent (a new payment needs a new SCA): a refreshed token carries
 * neither.
 */
export function scopesForRefresh(scopes: readonly string[]): string[] {
  return scopes.filter((scope) => isScope(scope) && REFRESHED.includes(scope));
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
    if (grantType !== undefined && !grantsOf(scope).includes(grantType)) {
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
