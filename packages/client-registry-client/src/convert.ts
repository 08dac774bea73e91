import { metadataFromMessage } from '@psd2/client-metadata';
import { type Client, ClientStatus, Psd2Role } from '@psd2/client-registry-proto';
import type { Psd2RoleName, RegisteredClient } from './types.js';

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
    suspension: Object.freeze({
      organisationSuspended: message.organisationSuspended,
      suspendedRoles: Object.freeze(message.suspendedRoles.flatMap((role) => roleFromMessage(role) ?? [])),
    }),
  });
}
