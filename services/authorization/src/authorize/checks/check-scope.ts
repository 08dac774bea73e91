import type { RegisteredClient } from '@psd2/client-registry-client';
import { InvalidScopeError } from '@psd2/oauth-errors';
import { checkScopes, parseScope } from '@psd2/scopes';
import { type RawParams, single } from '../params.js';

/**
 * check_scope: within the client's registered scope, allowed by the roles of its certificate, and
 * obtainable with an authorization code (RFC 6749 §3.3). `pisp` is refused here until payment
 * consent exists: it is a client-credentials scope only.
 */
export function checkScope(params: RawParams, client: RegisteredClient): readonly string[] {
  const requested = parseScope(single(params, 'scope'));
  if (requested === undefined) throw new InvalidScopeError({ description: 'The scope is malformed.' });
  const result = checkScopes({
    requested,
    roles: client.roles,
    grantType: 'authorization_code',
    registered: parseScope(client.metadata.scope) ?? [],
  });
  if (!result.ok) throw new InvalidScopeError({ description: result.description, detail: result.reason });
  return result.scopes;
}
