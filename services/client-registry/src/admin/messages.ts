import type { ClientAuditEntry, ClientSummary, Grant, OperatorAction, Suspension } from '@psd2/admin-proto';
import { toRfc7591Members } from '@psd2/client-metadata';
import type { AuditRow, ClientRow } from '../db/schema.js';
import type { OperatorActionRecord, SuspensionRecord } from '../suspensions.js';
import type { ClientWithSuspensions } from './clients.js';
import type { GrantView } from './grants.js';
import { roleToMessage, storedRoleToMessage } from './requests.js';

/* The admin API's messages from the registry's records. */

const seconds = (unixSeconds: number) => new Date(unixSeconds * 1000);

export function clientSummary({ client, inForce }: ClientWithSuspensions): ClientSummary {
  return {
    clientId: client.clientId,
    organizationId: client.organizationId,
    organizationName: client.organizationName,
    ...(client.metadata.clientName === undefined ? {} : { clientName: client.metadata.clientName }),
    status: client.status,
    ...(client.metadata.scope === undefined ? {} : { scope: client.metadata.scope }),
    createdAt: client.createdAt,
    organisationSuspended: inForce.some((suspension) => suspension.role === null),
    suspendedRoles: inForce.flatMap((suspension) =>
      suspension.role === null ? [] : [roleToMessage(suspension.role)],
    ),
  };
}

export function metadataJson(client: ClientRow): string {
  return JSON.stringify(toRfc7591Members(client.metadata));
}

export function suspension(record: SuspensionRecord): Suspension {
  return {
    organizationId: record.organizationId,
    ...(record.role === null ? {} : { role: roleToMessage(record.role) }),
    suspendedAt: record.suspendedAt,
    suspendedBy: record.suspendedBy.subject,
    reason: record.reason,
    ...(record.reinstatement === undefined
      ? {}
      : {
          reinstatedAt: record.reinstatement.at,
          reinstatedBy: record.reinstatement.by.subject,
          reinstatementReason: record.reinstatement.reason,
        }),
  };
}

export function auditEntry(row: AuditRow): ClientAuditEntry {
  return {
    at: row.at,
    action: row.action,
    actorOrganizationId: row.actorOrganizationId,
    actorCertificateThumbprint: row.actorCertificateThumbprint,
    details: JSON.stringify(row.changes),
  };
}

export function operatorAction(record: OperatorActionRecord): OperatorAction {
  const role = storedRoleToMessage(record.role);
  return {
    at: record.at,
    action: record.action,
    operatorSubject: record.operator.subject,
    operatorCertificateThumbprint: record.operator.certificateThumbprint,
    reason: record.reason,
    ...(record.organizationId === null ? {} : { organizationId: record.organizationId }),
    ...(role === undefined ? {} : { role }),
    ...(record.clientId === null ? {} : { clientId: record.clientId }),
    ...(record.grantId === null ? {} : { grantId: record.grantId }),
    ...(record.psuId === null ? {} : { psuId: record.psuId }),
  };
}

export function grant(view: GrantView): Grant {
  return {
    grantId: view.grant.grantId,
    clientId: view.grant.clientId,
    ...(view.clientName === undefined ? {} : { clientName: view.clientName }),
    organizationId: view.grant.organizationId,
    scope: view.grant.scope,
    createdAt: seconds(view.grant.createdAt),
    expiresAt: seconds(view.grant.expiresAt),
    ...(view.paymentSummary === undefined ? {} : { paymentSummary: view.paymentSummary }),
  };
}
