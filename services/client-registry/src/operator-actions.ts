import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { Db, RegistryDatabase, Tx } from './db/database.js';
import { type OperatorActionRow, operatorActions } from './db/schema.js';
import { classifyDatabaseError } from './errors.js';
import {
  checkOperator,
  checkReason,
  type OperatorActionFilter,
  type OperatorActionInput,
  type OperatorActionRecord,
} from './suspensions-model.js';

/*
 * The operators' audit trail: who (certificate subject and thumbprint), when, why, on what. Rows are
 * only ever inserted. `insertOperatorAction` joins a caller's transaction, so an action and its audit
 * row commit together; `recordOperatorAction` is the same on its own transaction.
 */

export const MAX_OPERATOR_ACTIONS = 500;

export async function insertOperatorAction(tx: Tx | Db, input: OperatorActionInput): Promise<void> {
  checkReason(input.reason);
  checkOperator(input.operator);
  await tx.insert(operatorActions).values({
    at: input.at ?? new Date(),
    operatorSubject: input.operator.subject,
    operatorCertificateThumbprint: input.operator.certificateThumbprint,
    action: input.action,
    organizationId: input.organizationId ?? null,
    role: input.role ?? null,
    clientId: input.clientId ?? null,
    grantId: input.grantId ?? null,
    psuId: input.psuId ?? null,
    reason: input.reason,
    details: { ...(input.details ?? {}) },
  });
}

export async function recordOperatorAction(
  database: Pick<RegistryDatabase, 'transaction'>,
  input: OperatorActionInput,
): Promise<void> {
  await translated(() => database.transaction((tx) => insertOperatorAction(tx, input)));
}

/**
 * The actions matching every given field of `filter` (all of them when none is given), oldest first;
 * with a limit, the newest `limit` of them.
 */
export async function operatorActionsFor(
  database: Pick<RegistryDatabase, 'transaction'>,
  filter: OperatorActionFilter,
): Promise<OperatorActionRecord[]> {
  const conditions: SQL[] = [];
  if (filter.organizationId !== undefined)
    conditions.push(eq(operatorActions.organizationId, filter.organizationId));
  if (filter.clientId !== undefined) conditions.push(eq(operatorActions.clientId, filter.clientId));
  if (filter.psuId !== undefined) conditions.push(eq(operatorActions.psuId, filter.psuId));
  const limit = Math.min(Math.max(1, filter.limit ?? MAX_OPERATOR_ACTIONS), MAX_OPERATOR_ACTIONS);
  const newestFirst = await translated(() =>
    database.transaction((tx) =>
      tx
        .select()
        .from(operatorActions)
        .where(and(...conditions))
        .orderBy(desc(operatorActions.id))
        .limit(limit),
    ),
  );
  const rows = newestFirst.reverse();
  return rows.map(toActionRecord);
}

function toActionRecord(row: OperatorActionRow): OperatorActionRecord {
  return {
    id: row.id,
    at: row.at,
    operator: { subject: row.operatorSubject, certificateThumbprint: row.operatorCertificateThumbprint },
    action: row.action,
    reason: row.reason,
    organizationId: row.organizationId,
    role: row.role,
    clientId: row.clientId,
    grantId: row.grantId,
    psuId: row.psuId,
    details: row.details,
  };
}

/** Database failures as the RegistryError the gRPC layer knows; anything else unchanged. */
export async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw classifyDatabaseError(error) ?? error;
  }
}
