import type { RegisteredClient } from '@psd2/client-registry-client';
import { UnauthorizedClientError } from '@psd2/oauth-errors';
import { parseScope, scopesAllowedByRoles } from '@psd2/scopes';

/*
 * A bank operator's suspension of a TPP (issue 18), as the registry returns it with the client. A
 * suspended organisation fails client authentication itself (authenticateTlsClient: invalid_client);
 * a suspended role only refuses its scopes, here: RFC 6749 §5.2 unauthorized_client ("not authorized
 * to use this grant"), the error the client can act on, unlike invalid_scope which says the scope is
 * wrong. The registry's answer is cached up to 5 s by the services; a token issued in that window is
 * inactive anyway, by the token store's marker for the client.
 */

/** The scopes the client may not obtain while a role of its organisation is suspended. */
export function suspendedScopesOf(client: RegisteredClient): string[] {
  return scopesAllowedByRoles(client.suspension?.suspendedRoles ?? []);
}

/** The requested scopes the suspension refuses, in request order. */
export function refusedBySuspension(client: RegisteredClient, scope: string | undefined): string[] {
  const refused = suspendedScopesOf(client);
  if (refused.length === 0) return [];
  return (parseScope(scope) ?? []).filter((requested) => refused.includes(requested));
}

/** Throws unauthorized_client when `scope` holds a scope of a suspended role of the client's organisation. */
export function refuseSuspendedScopes(client: RegisteredClient, scope: string | undefined): void {
  const refused = refusedBySuspension(client, scope);
  if (refused.length === 0) return;
  throw new UnauthorizedClientError({
    description: `The bank has suspended this organisation for the scope ${refused.join(' ')}.`,
    detail: `client ${client.clientId}: role suspended for ${refused.join(' ')}`,
  });
}
