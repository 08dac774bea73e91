import type { ExpiringMap } from './expiring-map.js';
import { type GrantUsageStore, usageLookupIds } from './grant-usage.js';
import type { SweptMap } from './memory-payments.js';
import type { GrantRecord } from './records.js';

/*
 * The embedded store's grant usage: the last use of each grant, kept until the grant's own expiry
 * (as Redis keeps the grant's `u:` key for the grant key's TTL). A use of a grant that is gone is not
 * recorded; the sweeper forgets the uses of ended grants.
 */

export interface MemoryGrantUsage extends SweptMap {
  readonly store: GrantUsageStore;
}

export function createMemoryGrantUsage(grants: ExpiringMap<GrantRecord>): MemoryGrantUsage {
  const lastUse = new Map<string, number>();
  return {
    store: {
      async recordGrantUse(grantId, at) {
        if (grants.get(grantId) === undefined) return;
        const use = Math.floor(at);
        if ((lastUse.get(grantId) ?? 0) <= use) lastUse.set(grantId, use);
      },
      async lastUsedOf(grantIds) {
        const uses: Record<string, number> = {};
        for (const grantId of usageLookupIds(grantIds)) {
          const use = lastUse.get(grantId);
          if (use === undefined) continue;
          // A grant that ended takes its use with it, as its Redis key expires with the grant's.
          if (grants.get(grantId) === undefined) lastUse.delete(grantId);
          else uses[grantId] = use;
        }
        return uses;
      },
    },
    sweep() {
      for (const grantId of lastUse.keys()) if (grants.get(grantId) === undefined) lastUse.delete(grantId);
    },
    keys() {
      return lastUse.keys();
    },
  };
}
