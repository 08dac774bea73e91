import type { handleUnaryCall } from '@grpc/grpc-js';
import type { OperatorServiceServer } from '@psd2/admin-proto';
import { unaryCalls } from '@psd2/grpc-server';
import type { Logger } from '@psd2/logging';
import type { TokenStore } from '@psd2/token-store';
import type { RegistryDatabase } from '../db/database.js';
// One error model for both of the registry's APIs: the same failure, the same status.
import { classifyFailure } from '../service.js';
import type { OperatorIdentity, Suspensions } from '../suspensions.js';
import { listClients, showClient } from './clients.js';
import { listGrants, withdrawGrant } from './grants.js';
import { operatorOf } from './identity.js';
import * as messages from './messages.js';
import { identifier, limit, reason, roleFromMessage } from './requests.js';

/*
 * The operators' API: thin handlers over clients.ts, grants.ts and the suspensions domain. Every call
 * knows its operator (identity.ts) before any work; mutating calls pass it on to the audit trail, and
 * every call is logged with it.
 */

export const ADMIN_SERVICE_NAME = 'psd2.admin.v1.OperatorService';

export interface OperatorServiceDependencies {
  readonly database: Pick<RegistryDatabase, 'transaction'>;
  readonly tokenStore: Pick<TokenStore, 'listGrantsOfSubject' | 'findGrant' | 'revokeGrant'>;
  readonly suspensions: Suspensions;
  readonly logger: Logger;
  readonly maxCallMs?: number;
}

type OperatorWork<Req, Res> = (request: Req, operator: OperatorIdentity) => Promise<Res>;

export function createOperatorService(deps: OperatorServiceDependencies): OperatorServiceServer {
  const { logger } = deps;
  const unary = unaryCalls({
    service: ADMIN_SERVICE_NAME,
    logger,
    maxCallMs: deps.maxCallMs ?? 10_000,
    classify: classifyFailure,
  });
  // The identity is read from the call (its TLS peer), which unaryCalls does not pass to the work.
  const asOperator =
    <Req, Res>(method: string, work: OperatorWork<Req, Res>): handleUnaryCall<Req, Res> =>
    (call, callback) =>
      unary<Req, Res>(method, async (request) => {
        const operator = operatorOf(call);
        logger.info({ method, operator: operator.subject }, 'operator call');
        return work(request, operator);
      })(call, callback);

  return {
    suspendOrganisation: asOperator('SuspendOrganisation', async (request, operator) => {
      const role = roleFromMessage(request.role);
      const outcome = await deps.suspensions.suspend({
        organizationId: identifier(request.organizationId, 'organization_id'),
        ...(role === undefined ? {} : { role }),
        operator,
        reason: reason(request.reason),
      });
      return { changed: outcome.changed, clientIds: [...outcome.clientIds] };
    }),

    reinstateOrganisation: asOperator('ReinstateOrganisation', async (request, operator) => {
      const role = roleFromMessage(request.role);
      const outcome = await deps.suspensions.reinstate({
        organizationId: identifier(request.organizationId, 'organization_id'),
        ...(role === undefined ? {} : { role }),
        operator,
        reason: reason(request.reason),
      });
      return { changed: outcome.changed, clientIds: [...outcome.clientIds] };
    }),

    listClients: asOperator('ListClients', async (request) => {
      const page = await listClients(deps, {
        ...(request.organizationId === undefined
          ? {}
          : { organizationId: identifier(request.organizationId, 'organization_id') }),
        pageSize: limit(request.pageSize, 'page_size'),
        pageToken: request.pageToken,
      });
      return { clients: page.clients.map(messages.clientSummary), nextPageToken: page.nextPageToken };
    }),

    showClient: asOperator('ShowClient', async (request) => {
      const file = await showClient(deps, identifier(request.clientId, 'client_id'));
      return {
        client: messages.clientSummary(file),
        metadataJson: messages.metadataJson(file.client),
        registeredSubjectDn: file.client.registeredSubjectDn,
        audit: file.audit.map(messages.auditEntry),
        suspensions: file.history.map(messages.suspension),
        operatorActions: file.operatorActions.map(messages.operatorAction),
      };
    }),

    listGrants: asOperator('ListGrants', async (request) => {
      const grants = await listGrants(
        deps,
        identifier(request.psuId, 'psu_id'),
        limit(request.limit, 'limit'),
      );
      return { grants: grants.map(messages.grant) };
    }),

    withdrawGrant: asOperator('WithdrawGrant', async (request, operator) => {
      const grant = await withdrawGrant(deps, {
        grantId: identifier(request.grantId, 'grant_id'),
        reason: reason(request.reason),
        operator,
      });
      logger.info({ grantId: grant.grantId, operator: operator.subject }, 'grant withdrawn by an operator');
      return { grantId: grant.grantId, clientId: grant.clientId, psuId: grant.subject };
    }),
  };
}
