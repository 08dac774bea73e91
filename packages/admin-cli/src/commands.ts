import {
  type ClientSummary,
  type OperatorAction,
  type OperatorApi,
  type ShowClientResponse,
  SuspendableRole,
  type Suspension,
} from '@psd2/admin-proto';
import { instant, table } from './table.js';
import type { Command, RoleName } from './usage.js';

/*
 * Each command: one or more calls, then what it prints, both ways: `json` for scripts (`--json`),
 * `text` for a person.
 */

export interface CommandResult {
  readonly json: unknown;
  readonly text: string;
}

const ROLE_MESSAGE: Record<RoleName, SuspendableRole> = {
  PSP_PI: SuspendableRole.SUSPENDABLE_ROLE_PSP_PI,
  PSP_AI: SuspendableRole.SUSPENDABLE_ROLE_PSP_AI,
  PSP_IC: SuspendableRole.SUSPENDABLE_ROLE_PSP_IC,
};

function roleName(role: SuspendableRole | undefined): RoleName | undefined {
  return (Object.keys(ROLE_MESSAGE) as RoleName[]).find((name) => ROLE_MESSAGE[name] === role);
}

function clientJson(client: ClientSummary | undefined) {
  return client === undefined
    ? undefined
    : { ...client, suspendedRoles: client.suspendedRoles.map((role) => roleName(role) ?? 'unknown') };
}

function suspensionState(client: ClientSummary): string {
  if (client.organisationSuspended) return 'organisation suspended';
  const roles = client.suspendedRoles.map(roleName);
  return roles.length === 0 ? '-' : `suspended: ${roles.join(', ')}`;
}

const suspensionJson = (suspension: Suspension) => ({ ...suspension, role: roleName(suspension.role) });
const actionJson = (action: OperatorAction) => ({ ...action, role: roleName(action.role) });

/** The audit entry's changed fields by name: the values are in `--json`, too wide for a table. */
function changedFields(details: string): string {
  try {
    return Object.keys(JSON.parse(details) as Record<string, unknown>).join(', ');
  } catch {
    return details;
  }
}

function showClientText(file: ShowClientResponse): string {
  const client = file.client;
  const lines = [
    `client ${client?.clientId ?? '?'} (${client?.status ?? '?'})`,
    `  name:          ${client?.clientName ?? '-'}`,
    `  organisation:  ${client?.organizationId ?? '?'} ${client?.organizationName ?? ''}`,
    `  scope:         ${client?.scope ?? '-'}`,
    `  registered:    ${instant(client?.createdAt)} by ${file.registeredSubjectDn}`,
    `  suspension:    ${client === undefined ? '-' : suspensionState(client)}`,
    `  metadata:      ${file.metadataJson}`,
    '',
    'audit trail',
    table(
      ['at', 'action', 'by organisation', 'certificate', 'changed'],
      file.audit.map((entry) => [
        instant(entry.at),
        entry.action,
        entry.actorOrganizationId,
        entry.actorCertificateThumbprint,
        changedFields(entry.details),
      ]),
    ),
    '',
    'suspensions of the organisation',
    table(
      ['role', 'suspended', 'by', 'reason', 'reinstated', 'by', 'reason'],
      file.suspensions.map((s) => [
        roleName(s.role) ?? 'whole organisation',
        instant(s.suspendedAt),
        s.suspendedBy,
        s.reason,
        instant(s.reinstatedAt),
        s.reinstatedBy ?? '-',
        s.reinstatementReason ?? '-',
      ]),
    ),
    '',
    'operator actions',
    table(
      ['at', 'action', 'operator', 'reason', 'on'],
      file.operatorActions.map((action) => [
        instant(action.at),
        action.action,
        action.operatorSubject,
        action.reason,
        [action.organizationId, roleName(action.role), action.clientId, action.grantId, action.psuId]
          .filter((part) => part !== undefined)
          .join(' '),
      ]),
    ),
  ];
  return lines.join('\n');
}

export async function runCommand(api: OperatorApi, command: Command): Promise<CommandResult> {
  switch (command.name) {
    case 'suspend-organisation':
    case 'reinstate-organisation': {
      const request = {
        organizationId: command.organizationId,
        ...(command.role === undefined ? {} : { role: ROLE_MESSAGE[command.role] }),
        reason: command.reason,
      };
      const suspend = command.name === 'suspend-organisation';
      const outcome = suspend
        ? await api.suspendOrganisation(request)
        : await api.reinstateOrganisation(request);
      const what = `${command.organizationId}${command.role === undefined ? '' : ` role ${command.role}`}`;
      const verb = suspend ? 'suspended' : 'reinstated';
      const text = outcome.changed
        ? `${what} ${verb}; clients concerned: ${outcome.clientIds.join(', ') || 'none'}`
        : suspend
          ? `${what} was already suspended; nothing changed (clients: ${outcome.clientIds.join(', ') || 'none'})`
          : `${what} had no suspension in force; nothing changed`;
      return {
        json: { organizationId: command.organizationId, role: command.role, ...outcome },
        text,
      };
    }
    case 'list-clients': {
      const clients: ClientSummary[] = [];
      let pageToken = '';
      do {
        const page = await api.listClients({
          ...(command.organizationId === undefined ? {} : { organizationId: command.organizationId }),
          pageSize: 200,
          pageToken,
        });
        clients.push(...page.clients);
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      return {
        json: { clients: clients.map(clientJson) },
        text: table(
          ['client id', 'organisation', 'name', 'status', 'suspension', 'created'],
          clients.map((client) => [
            client.clientId,
            client.organizationId,
            client.clientName ?? '-',
            client.status,
            suspensionState(client),
            instant(client.createdAt),
          ]),
        ),
      };
    }
    case 'show-client': {
      const file = await api.showClient(command.clientId);
      return {
        json: {
          ...file,
          client: clientJson(file.client),
          suspensions: file.suspensions.map(suspensionJson),
          operatorActions: file.operatorActions.map(actionJson),
        },
        text: showClientText(file),
      };
    }
    case 'list-grants': {
      const { grants } = await api.listGrants({ psuId: command.psuId, limit: command.limit ?? 0 });
      return {
        json: { grants },
        text: table(
          ['grant id', 'client', 'organisation', 'scope', 'created', 'expires', 'payment'],
          grants.map((grant) => [
            grant.grantId,
            grant.clientName === undefined ? grant.clientId : `${grant.clientName} (${grant.clientId})`,
            grant.organizationId,
            grant.scope,
            instant(grant.createdAt),
            instant(grant.expiresAt),
            grant.paymentSummary ?? '-',
          ]),
        ),
      };
    }
    case 'withdraw-grant': {
      const withdrawn = await api.withdrawGrant({ grantId: command.grantId, reason: command.reason });
      return {
        json: withdrawn,
        text: `grant ${withdrawn.grantId} of customer ${withdrawn.psuId} withdrawn; client ${withdrawn.clientId}'s tokens of it are inactive`,
      };
    }
  }
}
