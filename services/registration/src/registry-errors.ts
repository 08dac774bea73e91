import {
  ClientAlreadyExistsError,
  ClientNotFoundError,
  ClientPermissionDeniedError,
  InvalidClientRequestError,
  OrganisationSuspendedError,
  VersionConflictError,
} from '@psd2/client-registry-client';
import {
  AccessDeniedError,
  InvalidClientError,
  InvalidClientMetadataError,
  InvalidRequestError,
  InvalidTokenError,
  isDependencyUnavailable,
  TemporarilyUnavailableError,
} from '@psd2/oauth-errors';

/**
 * The registry's failures in OAuth terms (packages/client-registry-client/README.md). Anything not named
 * here is rethrown and becomes a 500 server_error, with its cause in the log.
 */
export function fromRegistryError(error: unknown): unknown {
  if (isDependencyUnavailable(error)) {
    // Writes are not retried by the client (one may have committed): the TPP retries.
    const detail = error instanceof Error ? error.message : 'unavailable';
    return new TemporarilyUnavailableError({ detail: `client registry: ${detail}`, cause: error });
  }
  if (error instanceof ClientNotFoundError) {
    // RFC 7592 §2.1: a client that no longer exists answers like a wrong token (deleted meanwhile).
    return new InvalidTokenError({
      description: 'The registration access token is not valid for this client.',
      detail: `registry: ${error.message}`,
    });
  }
  if (error instanceof OrganisationSuspendedError) return suspensionRefusal(error);
  if (error instanceof ClientPermissionDeniedError) {
    return new AccessDeniedError({
      description: 'The client certificate belongs to another organisation than this client.',
      detail: `registry: ${error.message}`,
    });
  }
  if (error instanceof ClientAlreadyExistsError) {
    return new InvalidClientMetadataError({
      description:
        'software_id is already registered by this organisation: update that client (RFC 7592 PUT) instead of registering it again.',
      detail: `registry: ${error.message}`,
    });
  }
  if (error instanceof InvalidClientRequestError) {
    // The metadata checks run first; the registry's own structural limits should never be reached.
    return new InvalidClientMetadataError({ detail: `registry refused: ${error.message}` });
  }
  if (error instanceof VersionConflictError) {
    return new InvalidRequestError({
      status: 409,
      description: 'The client was changed by another request at the same time: read it again, then retry.',
      detail: `registry: ${error.message}`,
    });
  }
  return error;
}

/**
 * Issue 18, a bank operator's suspension. The whole organisation: 401 invalid_client, as at every
 * endpoint, since the bank no longer accepts the TPP as a client. One role: 403 access_denied, as for
 * any request the certificate's organisation may not make (RFC 7592 §2.1's refusal): the metadata is not
 * at fault (not invalid_client_metadata), the TPP is, and only for that role's scopes.
 */
export function suspensionRefusal(error: OrganisationSuspendedError): InvalidClientError | AccessDeniedError {
  if (error.kind === 'organisation_suspended') {
    return new InvalidClientError({
      description: 'The bank has suspended this organisation.',
      detail: `registry: ${error.message}`,
    });
  }
  return new AccessDeniedError({
    description: 'The bank has suspended this organisation for a role whose scope is asked for.',
    detail: `registry: ${error.message}`,
  });
}
