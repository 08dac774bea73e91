import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import type { RegistryDatabase } from '../db/database.js';
import { type AuditRow, type ClientRow, clientAudit, clients } from '../db/schema.js';
import { RegistryError } from '../errors.js';
import { decodePageToken, encodePageToken } from '../page-token.js';
import {
  type OperatorActionRecord,
  operatorActionsFor,
  type SuspensionRecord,
  type Suspensions,
} from '../suspensions.js';

/*
 * What operators read about clients: any status (a deleted client's trail matters most after the fact),
 * across organisations, each with its organisation's suspensions in force.
 */

type Reader = Pick<RegistryDatabase, 'transaction'>;

export interface ClientWithSuspensions {
  readonly client: ClientRow;
  /** The organisation's suspensions in force. */
  readonly inForce: readonly SuspensionRecord[];
}

export interface OperatorClientPage {
  readonly clients: readonly ClientWithSuspensions[];
  readonly nextPageToken: string;
}

export interface ClientFile extends ClientWithSuspensions {
  readonly audit: readonly AuditRow[];
  readonly history: readonly SuspensionRecord[];
  /** On the client itself or on its organisation, oldest first. */
  readonly operatorActions: readonly OperatorActionRecord[];
}

async function withSuspensions(
  suspensions: Suspensions,
  rows: readonly ClientRow[],
): Promise<ClientWithSuspensions[]> {
  const organisations = [...new Set(rows.map((row) => row.organizationId))];
  const inForce = new Map(
    await Promise.all(
      organisations.map(
        async (organizationId) => [organizationId, await suspensions.inForce(organizationId)] as const,
      ),
    ),
  );
  return rows.map((client) => ({ client, inForce: inForce.get(client.organizationId) ?? [] }));
}

export async function listClients(
  deps: { readonly database: Reader; readonly suspensions: Suspensions },
  request: { readonly organizationId?: string; readonly pageSize: number; readonly pageToken: string },
): Promise<OperatorClientPage> {
  const after = request.pageToken === '' ? undefined : decodePageToken(request.pageToken);
  const conditions: SQL[] = [];
  if (request.organizationId !== undefined)
    conditions.push(eq(clients.organizationId, request.organizationId));
  if (after !== undefined) {
    conditions.push(
      sql`(${clients.createdAt}, ${clients.clientId}) > (${after.createdAt}::timestamptz, ${after.clientId})`,
    );
  }
  const rows = await deps.database.transaction((tx) =>
    tx
      .select()
      .from(clients)
      .where(and(...conditions))
      .orderBy(asc(clients.createdAt), asc(clients.clientId))
      // One more than asked tells whether another page follows, without a count.
      .limit(request.pageSize + 1),
  );
  const page = rows.slice(0, request.pageSize);
  const last = page.at(-1);
  return {
    clients: await withSuspensions(deps.suspensions, page),
    nextPageToken: rows.length > request.pageSize && last !== undefined ? encodePageToken(last) : '',
  };
}

export async function showClient(
  deps: { readonly database: Reader; readonly suspensions: Suspensions },
  clientId: string,
): Promise<ClientFile> {
  const { client, audit } = await deps.database.transaction(async (tx) => {
    const [client] = await tx.select().from(clients).where(eq(clients.clientId, clientId)).limit(1);
    const audit = await tx
      .select()
      .from(clientAudit)
      .where(eq(clientAudit.clientId, clientId))
      .orderBy(asc(clientAudit.id));
    return { client, audit };
  });
  if (client === undefined)
    throw new RegistryError('not_found', 'no client, active or deleted, has this client_id');
  const [[withState], history, onClient, onOrganisation] = await Promise.all([
    withSuspensions(deps.suspensions, [client]),
    deps.suspensions.history(client.organizationId),
    operatorActionsFor(deps.database, { clientId }),
    operatorActionsFor(deps.database, { organizationId: client.organizationId }),
  ]);
  const actions = new Map([...onClient, ...onOrganisation].map((action) => [action.id, action]));
  return {
    client,
    inForce: withState?.inForce ?? [],
    audit,
    history,
    operatorActions: [...actions.values()].sort((a, b) => a.id - b.id),
  };
}
