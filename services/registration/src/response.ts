import { toRfc7591Members } from '@psd2/client-metadata';
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
  return {
    client_id: client.clientId,
    client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
    ...(registrationAccessToken === undefined ? {} : { registration_access_token: registrationAccessToken }),
    registration_client_uri: registrationClientUri(issuer, client.clientId),
    ...toRfc7591Members(client.metadata),
    // Clients registered before these were filled in at registration read as they were defaulted then.
    token_endpoint_auth_method: client.metadata.tokenEndpointAuthMethod ?? 'tls_client_auth',
    tls_client_auth_subject_dn: client.metadata.tlsClientAuthSubjectDn ?? client.registeredSubjectDn,
  };
}
