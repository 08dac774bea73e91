import { formatAmount, maskIban, type PaymentInitiationDetail } from '@psd2/payment-details';
import { type GrantRecord, type TokenStore, TokenStoreUnavailableError } from '@psd2/token-store';
import { inArray } from 'drizzle-orm';
import type { RegistryDatabase } from '../db/database.js';
import { clients } from '../db/schema.js';
import { RegistryError } from '../errors.js';
import { type OperatorIdentity, recordOperatorAction } from '../suspensions.js';

/*
 * Bank staff act for a customer (issue 18 part 3): list the customer's active consents and withdraw
 * one. The consents live in the token store; the client names come from the registry's own table.
 */

export interface GrantDependencies {
  readonly database: Pick<RegistryDatabase, 'transaction'>;
  readonly tokenStore: Pick<TokenStore, 'listGrantsOfSubject' | 'findGrant' | 'revokeGrant'>;
}

export interface GrantView {
  readonly grant: GrantRecord;
  readonly clientName: string | undefined;
  readonly paymentSummary: string | undefined;
}

/** The token store's outage as the registry's error, so it is answered UNAVAILABLE. */
async function fromTokenStore<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof TokenStoreUnavailableError)) throw error;
    throw new RegistryError('unavailable', 'the token store is unavailable; retry later', { cause: error });
  }
}

/** `initiate €12.50 to Alice Martin (FR76 •••• 0189)`: enough for staff to recognise the payment on the phone. */
export function paymentSummary(details: readonly PaymentInitiationDetail[] | undefined): string | undefined {
  if (details === undefined || details.length === 0) return undefined;
  return details
    .map(
      (detail) =>
        `${detail.actions[0]} ${formatAmount(detail.instructedAmount, 'en')} to ${detail.creditorName} ` +
        `(${maskIban(detail.creditorAccount.iban)})`,
    )
    .join('; ');
}

export async function listGrants(
  deps: GrantDependencies,
  psuId: string,
  limit: number,
): Promise<GrantView[]> {
  const grants = await fromTokenStore(() => deps.tokenStore.listGrantsOfSubject(psuId, { limit }));
  const clientIds = [...new Set(grants.map((grant) => grant.clientId))];
  const names =
    clientIds.length === 0
      ? []
      : await deps.database.transaction((tx) =>
          tx
            .select({ clientId: clients.clientId, metadata: clients.metadata })
            .from(clients)
            .where(inArray(clients.clientId, clientIds)),
        );
  const nameOf = new Map(names.map((row) => [row.clientId, row.metadata.clientName]));
  return grants.map((grant) => ({
    grant,
    clientName: nameOf.get(grant.clientId),
    paymentSummary: paymentSummary(grant.authorizationDetails),
  }));
}

/**
 * Withdraws an active grant. The audit row is written first: an action is never done unaudited. If
 * the token store then fails, the operator is told UNAVAILABLE and retries (the grant is still active,
 * so the retry finds it, and its audit row says so again).
 */
export async function withdrawGrant(
  deps: GrantDependencies,
  request: { readonly grantId: string; readonly reason: string; readonly operator: OperatorIdentity },
): Promise<GrantRecord> {
  const grant = await fromTokenStore(() => deps.tokenStore.findGrant(request.grantId));
  if (grant === undefined) throw new RegistryError('not_found', 'no active grant has this grant_id');
  await recordOperatorAction(deps.database, {
    operator: request.operator,
    action: 'withdraw_grant',
    reason: request.reason,
    organizationId: grant.organizationId,
    clientId: grant.clientId,
    grantId: grant.grantId,
    psuId: grant.subject,
    details: { scope: grant.scope },
  });
  await fromTokenStore(() => deps.tokenStore.revokeGrant(grant.grantId));
  return grant;
}
