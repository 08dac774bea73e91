/*
 * When each grant was last used (issue 18: the customer page's "last used"). A use is a token issued
 * from the grant (code exchange, refresh) or one of its access tokens introspected active; the token
 * service records at most one use a minute per grant (see GRANT_USE_INTERVAL_SECONDS), off its
 * response path. A capability beside TokenStore's own, like grant-index.ts.
 */

export interface GrantUsageStore {
  /**
   * Records that the grant was used at `at` (Unix seconds). Kept as long as the grant lives, no
   * longer; nothing is recorded for a grant that does not exist (revoked, expired, never created).
   */
  recordGrantUse(grantId: string, at: number): Promise<void>;
  /**
   * The last recorded use of each of `grantIds` (Unix seconds), keyed by grant id; a grant never used
   * since it was created is absent. At most MAX_GRANT_USAGE_LOOKUP ids per call.
   */
  lastUsedOf(grantIds: readonly string[]): Promise<Readonly<Record<string, number>>>;
}

/** A recorded use is this precise: the token service records one use a minute per grant at most. */
export const GRANT_USE_INTERVAL_SECONDS = 60;

/** One listing's worth (MAX_GRANT_LIST_LIMIT): what a page asks for at once. */
export const MAX_GRANT_USAGE_LOOKUP = 200;

/** The ids a lookup reads; more than one listing's worth is a caller's bug. */
export function usageLookupIds(grantIds: readonly string[]): string[] {
  if (grantIds.length > MAX_GRANT_USAGE_LOOKUP) {
    throw new RangeError(`${grantIds.length} grant ids exceed ${MAX_GRANT_USAGE_LOOKUP} per lookup`);
  }
  return [...new Set(grantIds)];
}
