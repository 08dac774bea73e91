import type { Logger } from '@psd2/logging';
import { type TokenStore, TokenStoreUnavailableError } from '@psd2/token-store';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { RegistryDatabase, Tx } from './db/database.js';
import { clients, organisationSuspensions, type SuspensionRow } from './db/schema.js';
import { RegistryError } from './errors.js';
import { insertOperatorAction, translated } from './operator-actions.js';
import { lockOrganisation } from './organisation-suspension.js';
import { applyMarkers, suspensionTouches } from './suspension-markers.js';
import {
  checkOperator,
  checkReason,
  type SuspendableRole,
  type SuspensionOutcome,
  type SuspensionRecord,
  type SuspensionRequest,
  type Suspensions,
} from './suspensions-model.js';

export { operatorActionsFor, recordOperatorAction } from './operator-actions.js';
export * from './suspensions-model.js';

/*
 * Operator suspensions of a TPP organisation or of one of its roles. The order of the two writes makes
 * a failure half-way fail closed:
 *   suspend   = token-store markers of every touched client FIRST, then the row and its audit in one
 *               transaction. If the database then fails, the tokens are dead but the organisation is
 *               not recorded as suspended: the operator sees the error and retries (idempotent).
 *   reinstate = the row and its audit first, then the markers. If the token store then fails, the
 *               clients stay refused by their markers until the operator retries (idempotent).
 * A client registered while a suspension is being written is caught by a second pass after the commit;
 * once it is committed the registry refuses new registrations of the organisation (or of the role's
 * scopes).
 */

export interface SuspensionsDependencies {
  readonly database: Pick<RegistryDatabase, 'transaction'>;
  readonly tokenStore: Pick<TokenStore, 'suspendClient' | 'reinstateClient'>;
  readonly logger: Logger;
  readonly now?: () => Date;
}

interface OrganisationState {
  readonly clients: readonly { readonly clientId: string; readonly scope: string | undefined }[];
  readonly inForce: readonly { readonly role: SuspendableRole | null }[];
}

export function createSuspensions(deps: SuspensionsDependencies): Suspensions {
  const now = deps.now ?? (() => new Date());

  /**
   * Writes the markers of the clients `request` touches (`all`: every client of the organisation, which a
   * reinstatement needs, since a client's registered scope may have changed since it was suspended).
   */
  async function writeMarkers(
    request: SuspensionRequest,
    state: OrganisationState,
    which: { readonly all?: boolean; readonly skip?: ReadonlySet<string> } = {},
  ): Promise<string[]> {
    const touched = state.clients.filter(
      (client) =>
        (which.all === true || suspensionTouches(request.role, client.scope)) &&
        which.skip?.has(client.clientId) !== true,
    );
    try {
      await applyMarkers(deps.tokenStore, touched, state.inForce);
    } catch (error) {
      if (!(error instanceof TokenStoreUnavailableError)) throw error;
      throw new RegistryError('unavailable', 'the token store is unavailable; retry the action', {
        cause: error,
      });
    }
    return touched.map((client) => client.clientId);
  }

  return {
    async suspend(request) {
      checkRequest(request);
      const before = await translated(() => deps.database.transaction((tx) => readState(tx, request)));
      const inForce = before.inForce.some((row) => row.role === (request.role ?? null))
        ? before.inForce
        : [...before.inForce, { role: request.role ?? null }];
      const touched = await writeMarkers(request, { clients: before.clients, inForce });
      const at = now();
      const { changed, after } = await translated(() =>
        deps.database.transaction(async (tx) => {
          await lockOrganisation(tx, request.organizationId);
          const inserted = await tx
            .insert(organisationSuspensions)
            .values({
              organizationId: request.organizationId,
              role: request.role ?? null,
              suspendedAt: at,
              suspendedBy: request.operator.subject,
              suspendedByThumbprint: request.operator.certificateThumbprint,
              reason: request.reason,
            })
            .onConflictDoNothing()
            .returning({ id: organisationSuspensions.id });
          const changed = inserted.length > 0;
          await audit(tx, 'suspend_organisation', request, at, changed, touched);
          return { changed, after: await readState(tx, request) };
        }),
      );
      const late = await writeMarkers(request, after, { skip: new Set(touched) });
      if (changed) {
        deps.logger.info(
          {
            organizationId: request.organizationId,
            role: request.role,
            clients: touched.length + late.length,
          },
          'organisation suspended by an operator',
        );
      }
      return { changed, clientIds: [...touched, ...late] };
    },

    async reinstate(request): Promise<SuspensionOutcome> {
      checkRequest(request);
      const at = now();
      const { changed, state, concerned } = await translated(() =>
        deps.database.transaction(async (tx) => {
          await lockOrganisation(tx, request.organizationId);
          const ended = await tx
            .update(organisationSuspensions)
            .set({
              reinstatedAt: at,
              reinstatedBy: request.operator.subject,
              reinstatedByThumbprint: request.operator.certificateThumbprint,
              reinstatementReason: request.reason,
            })
            .where(and(sameSuspension(request), isNull(organisationSuspensions.reinstatedAt)))
            .returning({ id: organisationSuspensions.id });
          const state = await readState(tx, request);
          const changed = ended.length > 0;
          // The clients the lifted suspension concerned; every client's marker is recomputed below.
          const concerned = state.clients
            .filter((client) => suspensionTouches(request.role, client.scope))
            .map((client) => client.clientId);
          await audit(tx, 'reinstate_organisation', request, at, changed, concerned);
          return { changed, state, concerned };
        }),
      );
      try {
        await writeMarkers(request, state, { all: true });
      } catch (error) {
        deps.logger.error(
          { err: error, organizationId: request.organizationId, role: request.role },
          'reinstatement recorded but the clients are still refused by the token store: retry it',
        );
        throw error;
      }
      if (changed) {
        deps.logger.info(
          { organizationId: request.organizationId, role: request.role, clients: concerned.length },
          'organisation reinstated by an operator',
        );
      }
      return { changed, clientIds: concerned };
    },

    inForce: (organizationId) => readSuspensions(deps.database, organizationId, true),
    history: (organizationId) => readSuspensions(deps.database, organizationId, false),
  };
}

function checkRequest(request: SuspensionRequest): void {
  if (request.organizationId.trim() === '' || request.organizationId.length > 256) {
    throw new RegistryError('invalid_argument', 'the organisation identifier must be 1 to 256 characters');
  }
  checkReason(request.reason);
  checkOperator(request.operator);
}

function sameSuspension(request: SuspensionRequest) {
  return and(
    eq(organisationSuspensions.organizationId, request.organizationId),
    request.role === undefined
      ? isNull(organisationSuspensions.role)
      : eq(organisationSuspensions.role, request.role),
  );
}

async function readState(tx: Tx, request: SuspensionRequest): Promise<OrganisationState> {
  const [rows, inForce] = [
    await tx
      .select({ clientId: clients.clientId, scope: sql<string | null>`${clients.metadata} ->> 'scope'` })
      .from(clients)
      .where(and(eq(clients.organizationId, request.organizationId), eq(clients.status, 'active')))
      .orderBy(asc(clients.createdAt), asc(clients.clientId)),
    await tx
      .select({ role: organisationSuspensions.role })
      .from(organisationSuspensions)
      .where(
        and(
          eq(organisationSuspensions.organizationId, request.organizationId),
          isNull(organisationSuspensions.reinstatedAt),
        ),
      ),
  ];
  return { clients: rows.map((row) => ({ clientId: row.clientId, scope: row.scope ?? undefined })), inForce };
}

function audit(
  tx: Tx,
  action: 'suspend_organisation' | 'reinstate_organisation',
  request: SuspensionRequest,
  at: Date,
  changed: boolean,
  clientIds: readonly string[],
): Promise<void> {
  return insertOperatorAction(tx, {
    operator: request.operator,
    action,
    reason: request.reason,
    organizationId: request.organizationId,
    ...(request.role === undefined ? {} : { role: request.role }),
    details: { changed, clientIds },
    at,
  });
}

async function readSuspensions(
  database: Pick<RegistryDatabase, 'transaction'>,
  organizationId: string,
  inForceOnly: boolean,
): Promise<SuspensionRecord[]> {
  const rows = await translated(() =>
    database.transaction((tx) =>
      tx
        .select()
        .from(organisationSuspensions)
        .where(
          and(
            eq(organisationSuspensions.organizationId, organizationId),
            inForceOnly ? isNull(organisationSuspensions.reinstatedAt) : undefined,
          ),
        )
        .orderBy(asc(organisationSuspensions.id)),
    ),
  );
  return rows.map(toSuspensionRecord);
}

function toSuspensionRecord(row: SuspensionRow): SuspensionRecord {
  const base = {
    organizationId: row.organizationId,
    role: row.role,
    suspendedAt: row.suspendedAt,
    suspendedBy: { subject: row.suspendedBy, certificateThumbprint: row.suspendedByThumbprint },
    reason: row.reason,
  };
  if (
    row.reinstatedAt === null ||
    row.reinstatedBy === null ||
    row.reinstatedByThumbprint === null ||
    row.reinstatementReason === null
  )
    return base;
  return {
    ...base,
    reinstatement: {
      at: row.reinstatedAt,
      by: { subject: row.reinstatedBy, certificateThumbprint: row.reinstatedByThumbprint },
      reason: row.reinstatementReason,
    },
  };
}
