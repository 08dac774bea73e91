import type { ExpiringMap } from './expiring-map.js';
import { type GrantIndexStore, grantListLimit, newestFirst } from './grant-index.js';
import type { SweptMap } from './memory-payments.js';
import type { GrantRecord } from './records.js';
import { hashSecret } from './secrets.js';

/*
 * The embedded store's index of grants by subject: the ids of each subject's grants. Ending a grant
 * (revocation, replay, reuse, payment completion, expiry) only deletes it from the grant map, as in
 * Redis; a listing looks every id up, skips and forgets the ended ones, and skips grants of revoked
 * clients (revocation by lineage: restoring the client brings them back). The sweeper forgets ended
 * entries too, so an index never outgrows the live grants by more than one sweep.
 */

export interface MemoryGrantIndex extends SweptMap {
  readonly store: GrantIndexStore;
  add(grant: GrantRecord): void;
}

export function createMemoryGrantIndex(
  grants: ExpiringMap<GrantRecord>,
  clientAdmits: (grant: GrantRecord) => boolean,
): MemoryGrantIndex {
  // Keyed like Redis by the subject's SHA-256: debugKeys then lists no customer identifier.
  const bySubject = new Map<string, Set<string>>();

  /** The subject's live grants; forgets the ids of ended ones. */
  const live = (key: string, ids: Set<string>): GrantRecord[] => {
    const found: GrantRecord[] = [];
    for (const grantId of ids) {
      const grant = grants.get(grantId)?.value;
      if (grant === undefined) ids.delete(grantId);
      else found.push(grant);
    }
    if (ids.size === 0) bySubject.delete(key);
    return found;
  };

  return {
    store: {
      async listGrantsOfSubject(subject, options) {
        const limit = grantListLimit(options);
        const key = hashSecret(subject);
        const ids = bySubject.get(key);
        if (ids === undefined) return [];
        const active = live(key, ids).filter(clientAdmits);
        return newestFirst(active, limit);
      },
    },
    add(grant) {
      const key = hashSecret(grant.subject);
      const ids = bySubject.get(key) ?? new Set<string>();
      ids.add(grant.grantId);
      bySubject.set(key, ids);
    },
    sweep() {
      for (const [key, ids] of bySubject) live(key, ids);
    },
    keys() {
      return bySubject.keys();
    },
  };
}
