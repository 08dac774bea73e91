import type { RegisteredClient } from '@psd2/client-registry-client';

/** RFC 7592 §1: the client configuration endpoint, `${issuer}/oauth2/register/${client_id}`. */
export function registrationClientUri(issuer: string, clientId: string): string {
  return `${issuer}/oauth2/register/${encodeURIComponent(clientId)}`;
}

/**
 * RFC 7591 §3.2.1 client information response (also RFC 7592 §3 for read and update): every stored
 * metadata field, the client id and when it was issued, and the configuration endpoint. The registration
 * access token only when one was just issued: the registry keeps its hash alone. No client_secret exists.
 */
export function clientInformation(
  client: RegisteredClient,
  issuer: string,
  registrationAccessToken?: string,
): Record<string, unknown> {
  const { metadata } = client;
  const body: Record<string, unknown> = {
    client_id: client.clientId,
    client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
    ...(registrationAccessToken === undefined ? {} : { registration_access_token: registrationAccessToken }),
    registration_client_uri: registrationClientUri(issuer, client.clientId),
    redirect_uris: [...metadata.redirectUris],
    grant_types: [...metadata.grantTypes],
    response_types: [...metadata.responseTypes],
    token_endpoint_auth_method: metadata.tokenEndpointAuthMethod ?? 'tls_client_auth',
    tls_client_auth_subject_dn: metadata.tlsClientAuthSubjectDn ?? client.registeredSubjectDn,
  };
  const optional: Record<string, unknown> = {
    scope: metadata.scope,
    client_name: metadata.clientName,
    logo_uri: metadata.logoUri,
    client_uri: metadata.clientUri,
    policy_uri: metadata.policyUri,
    tos_uri: metadata.tosUri,
    jwks: metadata.jwks,
    jwks_uri: metadata.jwksUri,
    software_id: metadata.softwareId,
    software_version: metadata.softwareVersion,
  };
  for (const [field, value] of Object.entries(optional)) if (value !== undefined) body[field] = value;
  for (const [tag, name] of Object.entries(metadata.clientNameLocalized ?? {}))
    body[`client_name#${tag}`] = name;
  if (metadata.contacts !== undefined && metadata.contacts.length > 0) body.contacts = [...metadata.contacts];
  return body;
}
