import { Metadata, status } from '@grpc/grpc-js';
import { metadataToMessage } from '@psd2/client-metadata';
import { type Client, type ClientRegistryServiceServer, ClientStatus } from '@psd2/client-registry-proto';
import { CallDeadlineError, type CallFailure, unaryCalls } from '@psd2/grpc-server';
import type { Logger } from '@psd2/logging';
import { classifyDatabaseError, RegistryError, type RegistryErrorCode } from './errors.js';
import type { ClientRecord } from './model.js';
import { type ClientStore, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './store.js';
import {
  roleToMessage,
  validateActor,
  validateClientId,
  validateCreate,
  validateMetadata,
  validateRenewedCertificate,
} from './validation.js';

/*
 * The gRPC face of the store: validates requests and maps every failure to the status code that names
 * it. Each call's deadline cap, metric and logging are @psd2/grpc-server's unaryCalls.
 */

export interface ServiceOptions {
  readonly store: ClientStore;
  readonly logger: Logger;
  /** Upper bound for a call that came without a deadline, or with a very long one. */
  readonly maxCallMs?: number;
}

const STATUS_OF: Record<RegistryErrorCode, status> = {
  not_found: status.NOT_FOUND,
  already_exists: status.ALREADY_EXISTS,
  invalid_argument: status.INVALID_ARGUMENT,
  version_conflict: status.FAILED_PRECONDITION,
  permission_denied: status.PERMISSION_DENIED,
  organisation_suspended: status.PERMISSION_DENIED,
  role_suspended: status.PERMISSION_DENIED,
  unavailable: status.UNAVAILABLE,
  deadline_exceeded: status.DEADLINE_EXCEEDED,
  aborted: status.ABORTED,
};

/** The name health checks use for this service; '' stands for the whole server (grpc.health.v1). */
export const REGISTRY_SERVICE_NAME = 'psd2.clientregistry.v1.ClientRegistryService';

/** The metadata key carrying the registry's own error code, for callers that want more than the status. */
export const ERROR_CODE_METADATA_KEY = 'x-registry-error';

export function createClientRegistryService(options: ServiceOptions): ClientRegistryServiceServer {
  const { store } = options;
  const unary = unaryCalls({
    service: REGISTRY_SERVICE_NAME,
    logger: options.logger,
    maxCallMs: options.maxCallMs ?? 10_000,
    classify: classifyFailure,
  });

  return {
    createClient: unary('CreateClient', async (request, timeoutMs) => {
      const input = validateCreate(request);
      const issued = await store.create(input, { timeoutMs });
      return {
        client: toClientMessage(issued.client),
        registrationAccessToken: issued.registrationAccessToken,
      };
    }),

    getClient: unary('GetClient', async (request, timeoutMs) => {
      const client = await store.get(validateClientId(request.clientId), { timeoutMs });
      return { client: toClientMessage(client) };
    }),

    replaceClient: unary('ReplaceClient', async (request, timeoutMs) => {
      const clientId = validateClientId(request.clientId);
      if (!Number.isSafeInteger(request.expectedVersion) || request.expectedVersion < 1) {
        throw new RegistryError('invalid_argument', 'expected_version is required: the version last read');
      }
      const result = await store.replace(
        {
          clientId,
          expectedVersion: request.expectedVersion,
          metadata: validateMetadata(request.metadata),
          actor: validateActor(request.actor),
          rotateRegistrationAccessToken: request.rotateRegistrationAccessToken,
          certificate: validateRenewedCertificate(request),
        },
        { timeoutMs },
      );
      return {
        client: toClientMessage(result.client),
        ...('registrationAccessToken' in result
          ? { registrationAccessToken: result.registrationAccessToken }
          : {}),
      };
    }),

    deleteClient: unary('DeleteClient', async (request, timeoutMs) => {
      const clientId = validateClientId(request.clientId);
      const actor = validateActor(request.actor);
      if (request.expectedVersion !== undefined && request.expectedVersion < 1) {
        throw new RegistryError('invalid_argument', 'expected_version must be at least 1 when set');
      }
      await store.delete(clientId, actor, request.expectedVersion, { timeoutMs });
      return {};
    }),

    listClients: unary('ListClients', async (request, timeoutMs) => {
      if (request.organizationId.trim() === '') {
        throw new RegistryError('invalid_argument', 'organization_id is required');
      }
      if (request.pageSize < 0) throw new RegistryError('invalid_argument', 'page_size must not be negative');
      // AIP-158: a page size above the maximum is lowered to it rather than refused.
      const pageSize = request.pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
      const page = await store.list(request.organizationId, pageSize, request.pageToken, { timeoutMs });
      return { clients: page.clients.map(toClientMessage), nextPageToken: page.nextPageToken };
    }),

    checkRegistrationAccessToken: unary('CheckRegistrationAccessToken', async (request, timeoutMs) => {
      if (request.registrationAccessToken === '') {
        throw new RegistryError('invalid_argument', 'registration_access_token is required');
      }
      const client = await store.checkToken(
        validateClientId(request.clientId),
        request.registrationAccessToken,
        {
          timeoutMs,
        },
      );
      return client === undefined
        ? { valid: false, client: undefined }
        : { valid: true, client: toClientMessage(client) };
    }),

    rotateRegistrationAccessToken: unary('RotateRegistrationAccessToken', async (request, timeoutMs) => {
      const issued = await store.rotateToken(
        validateClientId(request.clientId),
        validateActor(request.actor),
        {
          timeoutMs,
        },
      );
      return {
        client: toClientMessage(issued.client),
        registrationAccessToken: issued.registrationAccessToken,
      };
    }),
  };
}

/**
 * The registry's error model at the gRPC edge: a named failure is answered with its status, its code in
 * the trailer; the wrapper's deadline is the registry's deadline_exceeded; anything else is a bug.
 */
export function classifyFailure(error: unknown): CallFailure | undefined {
  const named =
    error instanceof CallDeadlineError
      ? new RegistryError('deadline_exceeded', error.message)
      : classifyDatabaseError(error);
  return named === undefined ? undefined : toServiceError(named);
}

function toServiceError(error: RegistryError): CallFailure {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, error.code);
  return { code: STATUS_OF[error.code], details: error.message, metadata };
}

export function toClientMessage(record: ClientRecord): Client {
  return {
    clientId: record.clientId,
    organizationId: record.organizationId,
    organizationName: record.organizationName,
    ncaId: record.ncaId,
    roles: record.roles.map(roleToMessage),
    registeredSubjectDn: record.registeredSubjectDn,
    registeredCertificateThumbprint: record.registeredCertificateThumbprint,
    metadata: metadataToMessage(record.metadata),
    status:
      record.status === 'active' ? ClientStatus.CLIENT_STATUS_ACTIVE : ClientStatus.CLIENT_STATUS_DELETED,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    version: record.version,
    organisationSuspended: record.suspension.organisationSuspended,
    suspendedRoles: record.suspension.suspendedRoles.map(roleToMessage),
  };
}
