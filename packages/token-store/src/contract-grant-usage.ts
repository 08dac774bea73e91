import { describe, expect, it } from '@jest/globals';
import { type ContractClock, grant, nowSeconds } from './contract-fixtures.js';
import { MAX_GRANT_USAGE_LOOKUP } from './grant-usage.js';
import { generateGrantId } from './secrets.js';
import type { TokenStore } from './store.js';

/*
 * The last use of a grant (issue 18) in the contract suite: the same on Redis, in process and over
 * the loopback host. Run by describeTokenStoreContract for every implementation.
 */

export function describeGrantUsageContract(storeOf: () => TokenStore, clock: ContractClock): void {
  describe('grant usage', () => {
    it('answers the last recorded use of each grant, and nothing for one never used', async () => {
      const store = storeOf();
      const [used, unused] = [grant('client-usage-1'), grant('client-usage-1')];
      await store.createGrant(used);
      await store.createGrant(unused);
      const at = nowSeconds();
      await store.recordGrantUse(used.grantId, at - 120);
      await store.recordGrantUse(used.grantId, at);
      expect(await store.lastUsedOf([used.grantId, unused.grantId])).toEqual({ [used.grantId]: at });
      expect(await store.lastUsedOf([])).toEqual({});
    });

    it('never goes back in time when an older use arrives late', async () => {
      const store = storeOf();
      const g = grant('client-usage-2');
      await store.createGrant(g);
      const at = nowSeconds();
      await store.recordGrantUse(g.grantId, at);
      await store.recordGrantUse(g.grantId, at - 60);
      expect(await store.lastUsedOf([g.grantId])).toEqual({ [g.grantId]: at });
    });

    it('records nothing for a grant that does not exist or was revoked', async () => {
      const store = storeOf();
      const unknown = generateGrantId();
      await store.recordGrantUse(unknown, nowSeconds());
      const revoked = grant('client-usage-3');
      await store.createGrant(revoked);
      await store.revokeGrant(revoked.grantId);
      await store.recordGrantUse(revoked.grantId, nowSeconds());
      expect(await store.lastUsedOf([unknown, revoked.grantId])).toEqual({});
    });

    it('forgets a use when its grant expires', async () => {
      const store = storeOf();
      // Two seconds, for the reason the access token case gives in contract.ts.
      const g = grant('client-usage-4', { expiresAt: nowSeconds() + 2 });
      await store.createGrant(g);
      await store.recordGrantUse(g.grantId, nowSeconds());
      expect(Object.keys(await store.lastUsedOf([g.grantId]))).toEqual([g.grantId]);
      clock.offsetMs = 3100;
      // Redis expires the key by its own clock: wait for it, the store's clock cannot move Redis's.
      const deadline = Date.now() + 5000;
      while (Object.keys(await store.lastUsedOf([g.grantId])).length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await store.lastUsedOf([g.grantId])).toEqual({});
    });

    it('refuses a lookup of more than one listing at once', async () => {
      const ids = Array.from({ length: MAX_GRANT_USAGE_LOOKUP + 1 }, () => generateGrantId());
      await expect(storeOf().lastUsedOf(ids)).rejects.toThrow();
    });
  });
}
