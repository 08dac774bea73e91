import type { IncomingHttpHeaders } from 'node:http';
import { CertificateError, type ClientCertificateResolver, type QwacIdentity } from '@psd2/certificates';
import {
  ClientNotFoundError,
  type ClientRegistry,
  type RegisteredClient,
} from '@psd2/client-registry-client';
import { InvalidClientError, isDependencyUnavailable, TemporarilyUnavailableError } from '@psd2/oauth-errors';
import { subjectDnMatches } from './subject-dn.js';

export interface AuthenticatedClient {
  readonly client: RegisteredClient;
  /** The QWAC presented on this request; tokens are bound to it (RFC 8705 §3). */
  readonly certificate: QwacIdentity;
}

export type CertificateOutcome =
  | { readonly kind: 'present'; readonly identity: QwacIdentity }
  | { readonly kind: 'absent' }
  | { readonly kind: 'refused'; readonly error: CertificateError };

/** The request's certificate as the resolver sees it, with refusals as values instead of throws. */
export function readClientCertificate(
  resolver: ClientCertificateResolver,
  request: {
    readonly fromEdge: boolean;
    readonly header: string | readonly string[] | undefined;
  },
): CertificateOutcome {
  try {
    const identity = resolver.resolve(request);
    return identity === undefined ? { kind: 'absent' } : { kind: 'present', identity };
  } catch (error) {
    if (error instanceof CertificateError) return { kind: 'refused', error };
    throw error;
  }
}

function refuse(detail: string): InvalidClientError {
  return new InvalidClientError({ detail });
}

/**
 * RFC 8705 §2.1.1 `tls_client_auth`, the only client authentication this server knows: the request
 * names its `client_id`, the client is active and registered for this method, and the QWAC presented
 * now belongs to the client's organisation and carries its registered subject. Certificate renewal
 * keeps working: the organisation identifier survives it, and a TPP whose new certificate has another
 * subject updates the client (RFC 7592) once. Every failure is the same generic `invalid_client`
 * for the caller; the reason goes to the log.
 */
export async function authenticateTlsClient(input: {
  readonly clientId: string | undefined;
  readonly certificate: CertificateOutcome;
  readonly registry: Pick<ClientRegistry, 'getClient'>;
}): Promise<AuthenticatedClient> {
  const { clientId, certificate, registry } = input;
  if (certificate.kind === 'absent') throw refuse('no client certificate was presented');
  if (certificate.kind === 'refused') {
    throw refuse(`client certificate refused: ${certificate.error.code} (${certificate.error.message})`);
  }
  if (clientId === undefined || clientId === '') throw refuse('client_id is missing');

  let client: RegisteredClient;
  try {
    client = await registry.getClient(clientId);
  } catch (error) {
    if (error instanceof ClientNotFoundError) throw refuse(`client ${clientId} is unknown or deleted`);
    if (isDependencyUnavailable(error)) {
      throw new TemporarilyUnavailableError({ detail: 'client registry unavailable', cause: error });
    }
    throw error;
  }

  const identity = certificate.identity;
  if (client.status !== 'active') throw refuse(`client ${clientId} is not active`);
  // Issue 18: a bank operator suspended the organisation; the TPP learns no more than any refusal.
  if (client.suspension?.organisationSuspended === true) {
    throw refuse(`client ${clientId}: organisation ${client.organizationId} is suspended by the bank`);
  }
  const method = client.metadata.tokenEndpointAuthMethod ?? 'tls_client_auth';
  if (method !== 'tls_client_auth') throw refuse(`client ${clientId} is registered for ${method}`);
  if (identity.organizationIdentifier !== client.organizationId) {
    throw refuse(
      `certificate organisation ${identity.organizationIdentifier} does not own client ${clientId} (${client.organizationId})`,
    );
  }
  const registeredDn = client.metadata.tlsClientAuthSubjectDn ?? client.registeredSubjectDn;
  if (!subjectDnMatches(identity.subjectDn, registeredDn)) {
    throw refuse(`certificate subject "${identity.subjectDn}" is not the registered "${registeredDn}"`);
  }
  return { client, certificate: identity };
}

/** What tls_client_auth reads of a request: the edge's certificate header, and whether the edge sent it. */
export interface ClientRequest {
  readonly headers: IncomingHttpHeaders;
  /** The connection carries the edge's client certificate (@psd2/http's service listener). */
  readonly fromEdge: boolean;
  /** The request's access-log fields: the client's ids go there once it is known. */
  readonly fields: Record<string, string>;
}

/**
 * The certificate the edge forwarded with this request. The one place a service reads the header: it is
 * believed only on a connection that presented the edge's client certificate, never by peer address.
 */
export function requestCertificate(
  resolver: ClientCertificateResolver,
  request: Pick<ClientRequest, 'headers' | 'fromEdge'>,
): CertificateOutcome {
  return readClientCertificate(resolver, {
    fromEdge: request.fromEdge,
    header: request.headers['x-forwarded-client-cert'],
  });
}

/**
 * authenticateTlsClient for a request to the token or revocation endpoint (RFC 7009 §2.1: the client
 * authenticates as at the token endpoint): the certificate the edge forwarded and the `client_id`
 * the body names.
 */
export async function authenticateClientRequest(
  request: ClientRequest,
  clientId: string | undefined,
  deps: {
    readonly certificates: ClientCertificateResolver;
    readonly registry: Pick<ClientRegistry, 'getClient'>;
  },
): Promise<AuthenticatedClient> {
  const authenticated = await authenticateTlsClient({
    clientId,
    certificate: requestCertificate(deps.certificates, request),
    registry: deps.registry,
  });
  request.fields.client_id = authenticated.client.clientId;
  request.fields.organization_id = authenticated.client.organizationId;
  return authenticated;
}
