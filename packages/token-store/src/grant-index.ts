import type { GrantRecord } from './records.js';

/*
 * A customer's grants (issue 18): the customer page lists each active consent and withdraws one, bank
 * staff list a customer's consents. A capability beside TokenStore's own, like payment-store.ts.
 */

export interface GrantListOptions {
  /** At most this many grants (default DEFAULT_GRANT_LIST_LIMIT, capped at MAX_GRANT_LIST_LIMIT). */
  readonly limit?: number;
}

export interface GrantIndexStore {
  /**
   * The subject's (PSU's) active grants: not revoked, not expired, client not revoked; newest
   * (`createdAt`) first, then by grant id; at most `limit`. Exact whatever ended a grant (revocation,
   * code replay, refresh token reuse, payment completion, expiry, client deletion).
   */
  listGrantsOfSubject(subject: string, options?: GrantListOptions): Promise<GrantRecord[]>;
}

export const DEFAULT_GRANT_LIST_LIMIT = 50;
export const MAX_GRANT_LIST_LIMIT = 200;

/**
 * How many of a subject's index entries one listing reads at most, so that no listing costs more than
 * a bounded amount however many grants a customer has. Every grant takes the customer's own SCA, so a
 * real customer stays far below it; past it, the entries that expire last are the ones read.
 */
export const GRANT_INDEX_READ_CAP = 1000;

/** The limit a listing applies; a limit that is not a positive integer is a caller's bug. */
export function grantListLimit(options: GrantListOptions | undefined): number {
  const limit = options?.limit ?? DEFAULT_GRANT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`grant list limit ${limit} is not a positive integer`);
  return Math.min(limit, MAX_GRANT_LIST_LIMIT);
}

/** Newest first (`createdAt`), ties by grant id so that the order never depends on the store. */
export function newestFirst(grants: GrantRecord[], limit: number): GrantRecord[] {
  return grants
    .sort((a, b) => b.createdAt - a.createdAt || (a.grantId < b.grantId ? -1 : a.grantId > b.grantId ? 1 : 0))
    .slice(0, limit);
}
