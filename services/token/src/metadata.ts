import { defineEndpoint, type Endpoint, json } from '@psd2/http';
import { SCOPES } from '@psd2/scopes';

export interface MetadataSettings {
  readonly issuer: string;
  readonly deploymentMode: 'sandbox' | 'bank';
  /** RFC 9126 §5 `require_pushed_authorization_requests` (@psd2/config pushedAuthorizationRequired). */
  readonly pushedAuthorizationRequired: boolean;
  /**
   * INTROSPECTION_ENDPOINT: the edge's internal listener, where the bank's API introspects. Unset, the
   * metadata names no introspection endpoint: the public hostname does not serve one (the edge answers
   * 404 there), and TPPs never introspect.
   */
  readonly introspectionEndpoint?: string | undefined;
}

/**
 * RFC 8414 authorization server metadata. Every TPP endpoint lives on the one mTLS hostname, so the
 * RFC 8705 §5 aliases name the same URLs: a client looking for the mTLS variant finds it either way.
 * Introspection is on the edge's internal listener (docs/edge.md), named only when configured.
 */
export function authorizationServerMetadata(settings: MetadataSettings) {
  const at = (path: string) => `${settings.issuer}${path}`;
  const sandbox = at('/oauth2/fr/sandbox/signin.html');
  const bank = at('/oauth2/fr/banque/oauth2_authorization.aspx');
  const token = at('/oauth2/token');
  const revocation = at('/oauth2/revoke');
  const introspection = settings.introspectionEndpoint;
  // RFC 8414 §2 and RFC 8705 §5, only where the bank's API can actually reach it.
  const introspectionFields =
    introspection === undefined
      ? {}
      : {
          introspection_endpoint: introspection,
          introspection_endpoint_auth_methods_supported: ['tls_client_auth'],
        };
  const registration = at('/oauth2/register');
  const par = at('/oauth2/par');
  return {
    issuer: settings.issuer,
    authorization_endpoint: settings.deploymentMode === 'sandbox' ? sandbox : bank,
    // Both PSU-facing pages; `{lang}` in their paths is `fr` (default) or `en`.
    psd2_authorization_endpoints: { sandbox, bank },
    token_endpoint: token,
    // RFC 9126 §5: the PAR endpoint, and whether the authorization pages take only pushed requests.
    pushed_authorization_request_endpoint: par,
    require_pushed_authorization_requests: settings.pushedAuthorizationRequired,
    // RFC 9396 §10: one type, a payment to initiate or cancel.
    authorization_details_types_supported: ['payment_initiation'],
    registration_endpoint: registration,
    revocation_endpoint: revocation,
    ...introspectionFields,
    scopes_supported: [...SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['tls_client_auth'],
    revocation_endpoint_auth_methods_supported: ['tls_client_auth'],
    tls_client_certificate_bound_access_tokens: true,
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    ui_locales_supported: ['fr', 'en'],
    mtls_endpoint_aliases: {
      token_endpoint: token,
      revocation_endpoint: revocation,
      ...(introspection === undefined ? {} : { introspection_endpoint: introspection }),
      registration_endpoint: registration,
      pushed_authorization_request_endpoint: par,
    },
  };
}

/** `GET /.well-known/oauth-authorization-server` (RFC 8414 §3): public, and the same for every caller. */
export function metadataEndpoint(settings: MetadataSettings): Endpoint {
  const document = json(authorizationServerMetadata(settings), {
    headers: { 'Cache-Control': 'public, max-age=300' },
  });
  return defineEndpoint({
    method: 'GET',
    path: '/.well-known/oauth-authorization-server',
    response: 'api',
    handle: async () => document,
  });
}
