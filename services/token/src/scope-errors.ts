import { InvalidClientError, InvalidScopeError, type OAuthError } from '@psd2/oauth-errors';
import type { ScopeCheck } from '@psd2/scopes';

/**
 * A scope the certificate's roles no longer allow means the certificate presented is not entitled to
 * act for this client any more (e.g. a renewed QWAC without PSP_AI): client authentication fails.
 * Every other scope problem is the request's: `invalid_scope` with a description that says which.
 */
export function scopeRefusal(check: Extract<ScopeCheck, { ok: false }>): OAuthError {
  if (check.reason === 'role_forbids') return new InvalidClientError({ detail: check.description });
  return new InvalidScopeError({ description: check.description });
}
