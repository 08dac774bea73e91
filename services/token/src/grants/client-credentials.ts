import { formSchema } from '@psd2/http';
import { InvalidScopeError } from '@psd2/oauth-errors';
import { checkScopes, formatScope, parseScope } from '@psd2/scopes';
import { generateOpaqueToken } from '@psd2/token-store';
import { scopeRefusal } from '../scope-errors.js';
import { accessTokenRecord, defineGrant, tokenResponse } from './context.js';

/**
 * RFC 6749 §4.4: the PISP's own token, `pisp` only, never a refresh token (§4.4.3). Without a
 * `scope` parameter the client gets its registered scopes that this grant may carry.
 */
export const clientCredentialsGrant = defineGrant(
  'client_credentials',
  formSchema({ scope: 'optional' }),
  async (context, { scope: scopeParameter }) => {
    const { client, certificate } = context.authenticated;
    const registered = parseScope(client.metadata.scope) ?? [];
    const requested = parseScope(scopeParameter ?? (registered.includes('pisp') ? 'pisp' : undefined));
    if (requested === undefined)
      throw new InvalidScopeError({ description: 'The scope parameter is malformed.' });
    const check = checkScopes({
      requested,
      roles: certificate.roles,
      grantType: 'client_credentials',
      registered,
    });
    if (!check.ok) throw scopeRefusal(check);

    const scope = formatScope(check.scopes);
    const accessToken = generateOpaqueToken();
    const record = accessTokenRecord(context, { scope });
    await context.store.saveAccessToken(accessToken, record);
    return tokenResponse(accessToken, record);
  },
);
