import { refuseSuspendedScopes } from '@psd2/client-authentication';
import type { RegisteredClient } from '@psd2/client-registry-client';
import { InvalidRequestError, InvalidScopeError } from '@psd2/oauth-errors';
import { checkScopes, parseScope } from '@psd2/scopes';
import { type RawParams, single } from '../params.js';

/**
 * check_scope: within the client's registered scope, allowed by the roles of its certificate, and
 * obtainable with an authorization code (RFC 6749 §3.3), and of no role the bank suspended. `pisp` by the code flow always comes with a
 * payment to approve (RFC 9396 `payment_initiation`), and only alone: one consent, one payment.
 */
export function checkScope(
  params: RawParams,
  client: RegisteredClient,
  options: { readonly payment: boolean },
): readonly string[] {
  const parsed = parseScope(single(params, 'scope'));
  if (parsed === undefined) throw new InvalidScopeError({ description: 'The scope is malformed.' });
  // A payment's scope is implied by its authorization details (RFC 9396 §3): absent means pisp.
  const requested = options.payment && parsed.length === 0 ? ['pisp'] : parsed;
  if (options.payment && (requested.length !== 1 || requested[0] !== 'pisp')) {
    throw new InvalidScopeError({
      description: 'Payment authorization_details are approved with the scope "pisp" alone.',
    });
  }
  if (!options.payment && requested.includes('pisp')) {
    throw new InvalidRequestError({
      description:
        'The scope "pisp" by the authorization code flow needs a payment: push authorization_details to /oauth2/par.',
    });
  }
  const result = checkScopes({
    requested,
    roles: client.roles,
    // pisp by the code is allowed exactly when a payment comes with it, which is checked above; its
    // role and registration are still checked here. Every other scope by the authorization_code rules.
    ...(options.payment ? {} : { grantType: 'authorization_code' as const }),
    registered: parseScope(client.metadata.scope) ?? [],
  });
  if (!result.ok) throw new InvalidScopeError({ description: result.description, detail: result.reason });
  // A suspended role of the organisation (issue 18): unauthorized_client, redirected like any error here.
  refuseSuspendedScopes(client, result.scopes.join(' '));
  return result.scopes;
}
