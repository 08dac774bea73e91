import {
  type Client,
  type ClientMetadata as ClientMetadataMessage,
  ClientStatus,
  Psd2Role,
} from '@psd2/client-registry-proto';
import type { ClientMetadata, JsonWebKeySet, Psd2RoleName, RegisteredClient } from './types.js';

/* Between the generated protobuf messages and the package's own types. */

const ROLE_BY_NAME: Readonly<Record<Psd2RoleName, Psd2Role>> = {
  PSP_AS: Psd2Role.PSD2_ROLE_PSP_AS,
  PSP_PI: Psd2Role.PSD2_ROLE_PSP_PI,
  PSP_AI: Psd2Role.PSD2_ROLE_PSP_AI,
  PSP_IC: Psd2Role.PSD2_ROLE_PSP_IC,
};

export function roleToMessage(role: Psd2RoleName): Psd2Role {
  return ROLE_BY_NAME[role];
}

function roleFromMessage(role: Psd2Role): Psd2RoleName | undefined {
  for (const [name, value] of Object.entries(ROLE_BY_NAME)) if (value === role) return name as Psd2RoleName;
  return undefined;
}

export function metadataToMessage(metadata: ClientMetadata): ClientMetadataMessage {
  return {
    redirectUris: [...metadata.redirectUris],
    grantTypes: [...metadata.grantTypes],
    responseTypes: [...metadata.responseTypes],
    scope: metadata.scope,
    tokenEndpointAuthMethod: metadata.tokenEndpointAuthMethod,
    tlsClientAuthSubjectDn: metadata.tlsClientAuthSubjectDn,
    clientName: metadata.clientName,
    clientNameLocalized: { ...metadata.clientNameLocalized },
    contacts: [...(metadata.contacts ?? [])],
    logoUri: metadata.logoUri,
    clientUri: metadata.clientUri,
    policyUri: metadata.policyUri,
    tosUri: metadata.tosUri,
    jwks: metadata.jwks === undefined ? undefined : JSON.stringify(metadata.jwks),
    jwksUri: metadata.jwksUri,
    softwareId: metadata.softwareId,
    softwareVersion: metadata.softwareVersion,
  };
}

function metadataFromMessage(message: ClientMetadataMessage | undefined): ClientMetadata {
  if (message === undefined) return { redirectUris: [], grantTypes: [], responseTypes: [] };
  return {
    redirectUris: message.redirectUris,
    grantTypes: message.grantTypes,
    responseTypes: message.responseTypes,
    scope: message.scope,
    tokenEndpointAuthMethod: message.tokenEndpointAuthMethod,
    tlsClientAuthSubjectDn: message.tlsClientAuthSubjectDn,
    clientName: message.clientName,
    clientNameLocalized: message.clientNameLocalized,
    contacts: message.contacts,
    logoUri: message.logoUri,
    clientUri: message.clientUri,
    policyUri: message.policyUri,
    tosUri: message.tosUri,
    jwks: message.jwks === undefined ? undefined : (JSON.parse(message.jwks) as JsonWebKeySet),
    jwksUri: message.jwksUri,
    softwareId: message.softwareId,
    softwareVersion: message.softwareVersion,
  };
}

/** Frozen, because the read cache hands the same object to every caller. */
export function clientFromMessage(message: Client | undefined): RegisteredClient {
  if (message === undefined) throw new TypeError('the registry answered without a client');
  const roles = message.roles.flatMap((role) => roleFromMessage(role) ?? []);
  return Object.freeze({
    clientId: message.clientId,
    organizationId: message.organizationId,
    organizationName: message.organizationName,
    ncaId: message.ncaId,
    roles: Object.freeze(roles),
    registeredSubjectDn: message.registeredSubjectDn,
    registeredCertificateThumbprint: message.registeredCertificateThumbprint,
    metadata: Object.freeze(metadataFromMessage(message.metadata)),
    status: message.status === ClientStatus.CLIENT_STATUS_DELETED ? 'deleted' : 'active',
    createdAt: message.createdAt ?? new Date(0),
    updatedAt: message.updatedAt ?? new Date(0),
    version: message.version,
  });
}
