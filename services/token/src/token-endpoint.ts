import type { ClientCertificateResolver } from '@psd2/certificates';
import { type AuthenticatedClient, authenticateClientRequest } from '@psd2/client-authentication';
import type { ClientRegistry } from '@psd2/client-registry-client';
import {
  defineEndpoint,
  type Endpoint,
  type EndpointContext,
  FORM_POST,
  type FormBody,
  formSchema,
  json,
} from '@psd2/http';
import type { Logger } from '@psd2/logging';
import { UnauthorizedClientError, UnsupportedGrantTypeError } from '@psd2/oauth-errors';
import { instruments } from '@psd2/telemetry';
import type { TokenStore } from '@psd2/token-store';
import type { GrantUseRecorder } from './grant-use.js';
import { authorizationCodeGrant } from './grants/authorization-code.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import type { Grant, GrantContext, TokenResponse, TokenSettings } from './grants/context.js';
import { refreshTokenGrant } from './grants/refresh-token.js';

const GRANTS: Readonly<Record<string, Grant>> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
};

/** The grant type and the client first; the rest is the grant's to read once it is known. */
const TOKEN_REQUEST = formSchema({ grant_type: 'required', client_id: 'optional' }, { others: 'keep' });
type TokenRequest = EndpointContext<unknown, unknown, FormBody, undefined>;

export interface TokenEndpointDependencies {
  readonly registry: ClientRegistry;
  readonly store: TokenStore;
  readonly certificates: ClientCertificateResolver;
  readonly settings: TokenSettings;
  readonly grantUse: GrantUseRecorder;
}

/** Scopes are a handful of fixed strings (formatScope orders them), so the label set stays small. */
function countIssued(grantType: string, response: TokenResponse): void {
  const { tokensIssued } = instruments();
  const labels = { 'oauth.grant_type': grantType, 'oauth.scope': response.scope };
  tokensIssued.add(1, { ...labels, 'oauth.token_type': 'access_token' });
  if (response.refresh_token !== undefined) {
    tokensIssued.add(1, { ...labels, 'oauth.token_type': 'refresh_token' });
  }
}

/**
 * What a grant sees of its request. A class, for its prototype getter: a getter in an object literal
 * built per request made V8 promote every request to the old generation (see RequestLogEntry in
 * @psd2/http).
 */
class GrantRequest implements GrantContext {
  readonly nowSeconds = Math.floor(Date.now() / 1000);

  constructor(
    private readonly request: TokenRequest,
    readonly authenticated: AuthenticatedClient,
    readonly store: TokenStore,
    readonly settings: TokenSettings,
    readonly grantUse: GrantUseRecorder,
  ) {}

  /** The request's logger, made on first use (most requests only write their access-log line). */
  get log(): Logger {
    return this.request.log;
  }
}

/**
 * `POST /oauth2/token`, in the order RFC 6749 §3.2 and RFC 8705 §2 imply: the grant type is known,
 * the client authenticates with its certificate and may use that grant type (§5.2
 * unauthorized_client), then the grant reads its parameters, runs its own checks and issues tokens
 * bound to that certificate.
 */
export function tokenEndpoint(deps: TokenEndpointDependencies): Endpoint {
  return defineEndpoint({
    ...FORM_POST,
    path: '/oauth2/token',
    input: { body: TOKEN_REQUEST },
    handle: async (request) => {
      const { body, fields } = request;
      const grantType = body.grant_type;
      const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
      if (grant === undefined) throw new UnsupportedGrantTypeError({ detail: `grant_type ${grantType}` });
      fields.grant_type = grantType;

      const authenticated = await authenticateClientRequest(request, body.client_id, deps);
      const { client } = authenticated;
      if (!client.metadata.grantTypes.includes(grant.type)) {
        throw new UnauthorizedClientError({
          detail: `client ${client.clientId} is not registered for ${grant.type}`,
        });
      }

      const response = await grant.issue(
        new GrantRequest(request, authenticated, deps.store, deps.settings, deps.grantUse),
        body,
      );
      countIssued(grantType, response);
      return json(response);
    },
  });
}
