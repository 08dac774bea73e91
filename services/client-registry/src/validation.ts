import type {
  Actor as ActorMessage,
  ClientMetadata,
  CreateClientRequest,
  ReplaceClientRequest,
} from '@psd2/client-registry-proto';
import { Psd2Role } from '@psd2/client-registry-proto';
import { RegistryError } from './errors.js';
import type { Actor, ClientMetadataValues, NewClient, Psd2RoleName } from './model.js';

/*
 * Structural checks on what callers send. Policy (which grant types a role may use, https-only
 * redirect URIs, ...) belongs to the registration service; the registry refuses only what it could not
 * store faithfully or what no caller should ever send. Limits keep one client's row small.
 */

const MAX_TEXT = 2048;
const MAX_LIST = 50;
// A base64url SHA-256 digest, without padding.
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;
const LANGUAGE_TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
// Server-generated ids are 22 base64url characters; anything far off cannot be one.
const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

function invalid(message: string): never {
  throw new RegistryError('invalid_argument', message);
}

function requiredText(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) invalid(`${field} is required`);
  if (trimmed.length > MAX_TEXT) invalid(`${field} is longer than ${MAX_TEXT} characters`);
  return trimmed;
}

function optionalText(value: string | undefined, field: string): string | null {
  if (value === undefined) return null;
  return requiredText(value, field);
}

function optionalUri(value: string | undefined, field: string): string | null {
  const text = optionalText(value, field);
  if (text !== null && !URL.canParse(text)) invalid(`${field} must be an absolute URI`);
  return text;
}

function textList(values: readonly string[], field: string): string[] {
  if (values.length > MAX_LIST) invalid(`${field} has more than ${MAX_LIST} entries`);
  const list = values.map((value, index) => requiredText(value, `${field}[${index}]`));
  if (new Set(list).size !== list.length) invalid(`${field} has duplicate entries`);
  return list;
}

export function validateClientId(clientId: string): string {
  if (!CLIENT_ID.test(clientId)) invalid('client_id is missing or malformed');
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

export function validateMetadata(metadata: ClientMetadata | undefined): ClientMetadataValues {
  if (metadata === undefined) invalid('metadata is required');
  const redirectUris = textList(metadata.redirectUris, 'redirect_uris');
  for (const uri of redirectUris) {
    if (!URL.canParse(uri)) invalid('redirect_uris must hold absolute URIs');
    // RFC 6749 §3.1.2: the redirection endpoint URI must not include a fragment.
    if (new URL(uri).hash !== '' || uri.includes('#')) invalid('redirect_uris must not have a fragment');
  }
  const localized = Object.entries(metadata.clientNameLocalized);
  if (localized.length > MAX_LIST) invalid(`client_name_localized has more than ${MAX_LIST} entries`);
  const clientNameLocalized: Record<string, string> = {};
  for (const [tag, name] of localized) {
    if (!LANGUAGE_TAG.test(tag)) invalid('client_name_localized keys must be language tags');
    clientNameLocalized[tag] = requiredText(name, `client_name#${tag}`);
  }
  if (metadata.jwks !== undefined && metadata.jwksUri !== undefined) {
    invalid('jwks and jwks_uri must not both be present (RFC 7591 §2)');
  }
  return {
    redirectUris,
    grantTypes: textList(metadata.grantTypes, 'grant_types'),
    responseTypes: textList(metadata.responseTypes, 'response_types'),
    scope: optionalText(metadata.scope, 'scope'),
    tokenEndpointAuthMethod: optionalText(metadata.tokenEndpointAuthMethod, 'token_endpoint_auth_method'),
    tlsClientAuthSubjectDn: optionalText(metadata.tlsClientAuthSubjectDn, 'tls_client_auth_subject_dn'),
    clientName: optionalText(metadata.clientName, 'client_name'),
    clientNameLocalized,
    contacts: textList(metadata.contacts, 'contacts'),
    logoUri: optionalUri(metadata.logoUri, 'logo_uri'),
    clientUri: optionalUri(metadata.clientUri, 'client_uri'),
    policyUri: optionalUri(metadata.policyUri, 'policy_uri'),
    tosUri: optionalUri(metadata.tosUri, 'tos_uri'),
    jwks: metadata.jwks === undefined ? null : parseJwks(metadata.jwks),
    jwksUri: optionalUri(metadata.jwksUri, 'jwks_uri'),
    softwareId: optionalText(metadata.softwareId, 'software_id'),
    softwareVersion: optionalText(metadata.softwareVersion, 'software_version'),
  };
}

function parseJwks(text: string): Record<string, unknown> {
  if (text.length > 64 * 1024) invalid('jwks is larger than 64 KiB');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    invalid('jwks must be JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    invalid('jwks must be a JSON object');
  }
  const keys: unknown = Reflect.get(parsed, 'keys');
  if (!Array.isArray(keys)) invalid('jwks must have a "keys" array (RFC 7517 §5)');
  return parsed as Record<string, unknown>;
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
