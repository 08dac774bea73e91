import type { Logger } from '@psd2/logging';
import { GRANT_USE_INTERVAL_SECONDS, type GrantUsageStore } from '@psd2/token-store';

/*
 * The token service's side of a grant's "last used" (issue 18, the customer page): a token issued
 * from a grant (code exchange, refresh) or one of its access tokens introspected active. Never on the
 * response's path: the write is fired and forgotten, and a replica writes at most one use a minute per
 * grant (an LRU of the grants it recorded less than GRANT_USE_INTERVAL_SECONDS ago), so a busy grant
 * costs Redis one write a minute per replica, not one per request. A failed write is swallowed: the
 * store's operation histogram counts it (psd2.token_store.operation=recordGrantUse, outcome error).
 */

export interface GrantUseRecorder {
  /** `at`: Unix seconds. Returns at once. */
  record(grantId: string, at: number): void;
}

/** Grants remembered at once; beyond, the least recently recorded is forgotten (and may be written again). */
const DEFAULT_REMEMBERED_GRANTS = 10_000;

export function createGrantUseRecorder(
  store: GrantUsageStore,
  options: { readonly logger: Logger; readonly rememberedGrants?: number },
): GrantUseRecorder {
  const capacity = options.rememberedGrants ?? DEFAULT_REMEMBERED_GRANTS;
  const recordedAt = new Map<string, number>();
  return {
    record(grantId, at) {
      const last = recordedAt.get(grantId);
      if (last !== undefined && at - last < GRANT_USE_INTERVAL_SECONDS) return;
      // Re-inserted, so the Map's insertion order is the recency order the eviction reads.
      recordedAt.delete(grantId);
      recordedAt.set(grantId, at);
      if (recordedAt.size > capacity) {
        const oldest = recordedAt.keys().next();
        if (oldest.done !== true) recordedAt.delete(oldest.value);
      }
      store.recordGrantUse(grantId, at).catch((error: unknown) => {
        // Let a later use try again rather than wait out the interval.
        if (recordedAt.get(grantId) === at) recordedAt.delete(grantId);
        options.logger.debug({ err: error }, 'recording a grant use failed');
      });
    },
  };
}
