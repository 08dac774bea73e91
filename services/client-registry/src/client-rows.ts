import { and, eq } from 'drizzle-orm';
import type { Tx } from './db/database.js';
import { type ClientRow, clients } from './db/schema.js';
import { RegistryError } from './errors.js';
import type { ClientRecord } from './model.js';
import { type OrganisationSuspension, suspensionOf } from './organisation-suspension.js';

/* Reading one client row, and the refusals every change of one shares. */

export async function findActive(tx: Tx, clientId: string): Promise<ClientRow | undefined> {
  const [row] = await tx
    .select()
    .from(clients)
    .where(and(eq(clients.clientId, clientId), eq(clients.status, 'active')))
    .limit(1);
  return row;
}

/** The row, if any, with its organisation's suspensions in force, read in the same transaction. */
export async function withSuspension(
  tx: Tx,
  found: Promise<ClientRow | undefined>,
): Promise<{ row: ClientRow; suspension: OrganisationSuspension } | undefined> {
  const row = await found;
  return row === undefined ? undefined : { row, suspension: await suspensionOf(tx, row.organizationId) };
}

export function toRecord(row: ClientRow, suspension: OrganisationSuspension): ClientRecord {
  const { registrationAccessTokenSha256: _hash, ...record } = row;
  return { ...record, suspension };
}

export function notFound(): RegistryError {
  return new RegistryError('not_found', 'no active client has this client_id');
}

export function versionConflict(): RegistryError {
  return new RegistryError(
    'version_conflict',
    'the client changed since it was read; read it again and retry with its current version',
  );
}
