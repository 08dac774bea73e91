import {
  type ClientMetadata,
  clientMetadataSchema,
  describeIssues,
  isClientId,
  metadataFromMessage,
} from '@psd2/client-metadata';
import type {
  Actor as ActorMessage,
  ClientMetadata as ClientMetadataMessage,
  CreateClientRequest,
  ReplaceClientRequest,
} from '@psd2/client-registry-proto';
import { Psd2Role } from '@psd2/client-registry-proto';
import { RegistryError } from './errors.js';
import type { Actor, NewClient, Psd2RoleName } from './model.js';

/*
 * Checks on what callers send. The metadata is held to @psd2/client-metadata's schema, the one
 * registration reads a TPP's JSON with; rules that need the TPP's certificate (which scopes its roles
 * allow, its subject DN) stay with registration.
 */

const MAX_TEXT = 2048;
// A base64url SHA-256 digest, without padding.
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;
const MAX_JWKS_TEXT = 64 * 1024;

function invalid(message: string): never {
  throw new RegistryError('invalid_argument', message);
}

function requiredText(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) invalid(`${field} is required`);
  if (trimmed.length > MAX_TEXT) invalid(`${field} is longer than ${MAX_TEXT} characters`);
  return trimmed;
}

export function validateClientId(clientId: string): string {
  if (!isClientId(clientId)) invalid('client_id is missing or malformed');
  return clientId;
}

export function validateThumbprint(value: string, field: string): string {
  if (!THUMBPRINT.test(value)) invalid(`${field} must be the base64url SHA-256 of the certificate`);
  return value;
}

export function validateActor(actor: ActorMessage | undefined): Actor {
  if (actor === undefined) invalid('actor is required');
  return {
    organizationId: requiredText(actor.organizationId, 'actor.organization_id'),
    certificateThumbprint: validateThumbprint(actor.certificateThumbprint, 'actor.certificate_thumbprint'),
  };
}

/** The metadata as the shared schema reads it; the registry stores nothing the schema refuses. */
export function validateMetadata(message: ClientMetadataMessage | undefined): ClientMetadata {
  if (message === undefined) invalid('metadata is required');
  if ((message.jwks?.length ?? 0) > MAX_JWKS_TEXT) invalid('jwks is larger than 64 KiB');
  let candidate: ClientMetadata;
  try {
    candidate = metadataFromMessage(message);
  } catch {
    invalid('jwks must be JSON');
  }
  const parsed = clientMetadataSchema.safeParse(candidate);
  if (!parsed.success) invalid(describeIssues(parsed.error).description);
  return parsed.data;
}

const ROLE_NAMES: ReadonlyMap<Psd2Role, Psd2RoleName> = new Map([
  [Psd2Role.PSD2_ROLE_PSP_AS, 'PSP_AS'],
  [Psd2Role.PSD2_ROLE_PSP_PI, 'PSP_PI'],
  [Psd2Role.PSD2_ROLE_PSP_AI, 'PSP_AI'],
  [Psd2Role.PSD2_ROLE_PSP_IC, 'PSP_IC'],
]);

export function roleToMessage(role: string): Psd2Role {
  for (const [message, name] of ROLE_NAMES) if (name === role) return message;
  return Psd2Role.PSD2_ROLE_UNSPECIFIED;
}

export function validateCreate(request: CreateClientRequest): NewClient {
  if (request.roles.length === 0) invalid('roles must list at least one PSD2 role');
  const roles = request.roles.map((role) => ROLE_NAMES.get(role) ?? invalid('roles holds an unknown role'));
  if (new Set(roles).size !== roles.length) invalid('roles has duplicate entries');
  return {
    organizationId: requiredText(request.organizationId, 'organization_id'),
    organizationName: requiredText(request.organizationName, 'organization_name'),
    ncaId: requiredText(request.ncaId, 'nca_id'),
    roles,
    registeredSubjectDn: requiredText(request.registeredSubjectDn, 'registered_subject_dn'),
    registeredCertificateThumbprint: validateThumbprint(
      request.registeredCertificateThumbprint,
      'registered_certificate_thumbprint',
    ),
    metadata: validateMetadata(request.metadata),
  };
}

/**
 * A replace may move the client to the TPP's renewed certificate. Subject and thumbprint describe one
 * certificate, so they come together or not at all.
 */
export function validateRenewedCertificate(
  request: Pick<ReplaceClientRequest, 'registeredSubjectDn' | 'registeredCertificateThumbprint'>,
): { subjectDn: string; thumbprint: string } | undefined {
  const { registeredSubjectDn, registeredCertificateThumbprint } = request;
  if (registeredSubjectDn === undefined && registeredCertificateThumbprint === undefined) return undefined;
  if (registeredSubjectDn === undefined || registeredCertificateThumbprint === undefined) {
    invalid('registered_subject_dn and registered_certificate_thumbprint go together');
  }
  return {
    subjectDn: requiredText(registeredSubjectDn, 'registered_subject_dn'),
    thumbprint: validateThumbprint(registeredCertificateThumbprint, 'registered_certificate_thumbprint'),
  };
}
