import { parseScope } from '@psd2/scopes';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Tx } from './db/database.js';
import { organisationSuspensions } from './db/schema.js';
import { RegistryError } from './errors.js';
import { scopesOfRole } from './suspension-markers.js';
import { isSuspendableRole, type SuspendableRole } from './suspensions-model.js';

/*
 * The suspensions in force for one organisation, as every client read returns them (so the services
 * refuse a suspended client) and as registrations are checked against them.
 */

export interface OrganisationSuspension {
  readonly organisationSuspended: boolean;
  readonly suspendedRoles: readonly SuspendableRole[];
}

export const NOT_SUSPENDED: OrganisationSuspension = { organisationSuspended: false, suspendedRoles: [] };

export async function suspensionOf(tx: Tx, organizationId: string): Promise<OrganisationSuspension> {
  const rows = await tx
    .select({ role: organisationSuspensions.role })
    .from(organisationSuspensions)
    .where(
      and(
        eq(organisationSuspensions.organizationId, organizationId),
        isNull(organisationSuspensions.reinstatedAt),
      ),
    );
  if (rows.length === 0) return NOT_SUSPENDED;
  return {
    organisationSuspended: rows.some((row) => row.role === null),
    suspendedRoles: rows.flatMap((row) =>
      row.role !== null && isSuspendableRole(row.role) ? [row.role] : [],
    ),
  };
}

// An arbitrary namespace for the two-key advisory locks below, apart from the migrations' lock.
const ORGANISATION_LOCK_NAMESPACE = 7_592_002;

/**
 * Serialises, per organisation, registrations and changes of its clients with operator suspensions
 * (transaction-scoped): a client committed just before a suspension is seen by it, one registered just
 * after it is refused. Nothing else waits on it.
 */
export async function lockOrganisation(tx: Tx, organizationId: string): Promise<void> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(${ORGANISATION_LOCK_NAMESPACE}, hashtext(${organizationId}))`,
  );
}

/** Refuses a registration (or a change) asking for `scope` while the organisation or a role of it is suspended. */
export function refuseWhileSuspended(suspension: OrganisationSuspension, scope: string | undefined): void {
  if (suspension.organisationSuspended) {
    throw new RegistryError('organisation_suspended', 'the organisation is suspended by the bank');
  }
  const asked = parseScope(scope) ?? [];
  const refused = suspension.suspendedRoles.filter((role) =>
    scopesOfRole(role).some((roleScope) => asked.includes(roleScope)),
  );
  if (refused.length > 0) {
    throw new RegistryError(
      'role_suspended',
      `the organisation's role ${refused.join(', ')} is suspended by the bank`,
    );
  }
}
