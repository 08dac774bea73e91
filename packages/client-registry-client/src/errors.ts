import { type ServiceError, status } from '@grpc/grpc-js';
import { DEPENDENCY_UNAVAILABLE } from '@psd2/oauth-errors';

/*
 * One error class per failure a caller handles differently. The HTTP services turn them into OAuth
 * errors, e.g. ClientNotFoundError into invalid_client and RegistryUnavailableError into a 503.
 */

export type ClientRegistryErrorKind =
  | 'not_found'
  | 'already_exists'
  | 'invalid_argument'
  | 'version_conflict'
  | 'permission_denied'
  | 'organisation_suspended'
  | 'role_suspended'
  | 'unavailable'
  | 'deadline_exceeded'
  | 'failure';

export class ClientRegistryError extends Error {
  readonly kind: ClientRegistryErrorKind;
  /** The gRPC status code received, for logs and metrics. */
  readonly grpcCode: status;

  constructor(
    kind: ClientRegistryErrorKind,
    grpcCode: status,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.kind = kind;
    this.grpcCode = grpcCode;
  }
}

/** No active client has this id (it never existed or was deleted). */
export class ClientNotFoundError extends ClientRegistryError {}
/** The organisation already has an active client for this software_id. */
export class ClientAlreadyExistsError extends ClientRegistryError {}
/** The request was refused as malformed; the message says which field. */
export class InvalidClientRequestError extends ClientRegistryError {}
/** The client changed since it was read: read it again, then retry with its new version. */
export class VersionConflictError extends ClientRegistryError {}
/** The client belongs to another organisation than the actor's. */
export class ClientPermissionDeniedError extends ClientRegistryError {}
/** A bank operator suspended the organisation, or the role whose scope was asked for (issue 18). */
export class OrganisationSuspendedError extends ClientRegistryError {}
/** The registry or its database could not be reached; retried already for reads. */
export class RegistryUnavailableError extends ClientRegistryError {
  readonly [DEPENDENCY_UNAVAILABLE] = true;
}
/** The call's deadline passed before the registry answered. */
export class RegistryDeadlineExceededError extends ClientRegistryError {
  readonly [DEPENDENCY_UNAVAILABLE] = true;
}
/** Anything else: a bug, a protocol mismatch. Worth an alert, not a retry. */
export class RegistryFailureError extends ClientRegistryError {}

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof Reflect.get(error, 'code') === 'number' && 'metadata' in error;
}

/** The error class and kind each gRPC status maps to; any status not listed is a RegistryFailureError. */
const ERROR_OF_STATUS: ReadonlyMap<status, readonly [typeof ClientRegistryError, ClientRegistryErrorKind]> =
  new Map([
    [status.NOT_FOUND, [ClientNotFoundError, 'not_found']],
    [status.ALREADY_EXISTS, [ClientAlreadyExistsError, 'already_exists']],
    [status.INVALID_ARGUMENT, [InvalidClientRequestError, 'invalid_argument']],
    [status.FAILED_PRECONDITION, [VersionConflictError, 'version_conflict']],
    [status.ABORTED, [VersionConflictError, 'version_conflict']],
    [status.PERMISSION_DENIED, [ClientPermissionDeniedError, 'permission_denied']],
    [status.UNAVAILABLE, [RegistryUnavailableError, 'unavailable']],
    [status.DEADLINE_EXCEEDED, [RegistryDeadlineExceededError, 'deadline_exceeded']],
  ]);

/** The registry's own error code (trailer x-registry-error) where it says more than the status. */
const ERROR_OF_REGISTRY_CODE: ReadonlyMap<
  string,
  readonly [typeof ClientRegistryError, ClientRegistryErrorKind]
> = new Map([
  ['organisation_suspended', [OrganisationSuspendedError, 'organisation_suspended']],
  ['role_suspended', [OrganisationSuspendedError, 'role_suspended']],
]);

export function fromServiceError(error: ServiceError): ClientRegistryError {
  const registryCode = error.metadata?.get('x-registry-error')[0];
  const [ErrorClass, kind] = (typeof registryCode === 'string' &&
    error.code === status.PERMISSION_DENIED &&
    ERROR_OF_REGISTRY_CODE.get(registryCode)) ||
    ERROR_OF_STATUS.get(error.code) || [RegistryFailureError, 'failure'];
  return new ErrorClass(kind, error.code, error.details || error.message, { cause: error });
}

/**
 * A lookup by a client id the registry refuses as malformed (`bQ==`, `a/b`, 5000 characters, a NUL):
 * no client has that id, so it is an unknown client, the answer every caller already gives for one.
 */
export function unknownIfMalformed(error: unknown): never {
  if (error instanceof InvalidClientRequestError) {
    throw new ClientNotFoundError('not_found', error.grpcCode, `malformed client id: ${error.message}`, {
      cause: error,
    });
  }
  throw error;
}

export function toClientError(error: unknown): ClientRegistryError {
  if (isServiceError(error)) return fromServiceError(error);
  if (error instanceof RegistryDeadlineExceededError) return error;
  return new RegistryFailureError(
    'failure',
    status.INTERNAL,
    error instanceof Error ? error.message : String(error),
    {
      cause: error,
    },
  );
}
