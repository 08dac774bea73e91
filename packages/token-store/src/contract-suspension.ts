import { describe, expect, it } from '@jest/globals';
import { accessRecord, codeRecord, grant, nowSeconds, refreshRecord, rotation } from './contract-fixtures.js';
import { generateOpaqueToken } from './secrets.js';
import type { TokenStore } from './store.js';

/*
 * Operator suspension (suspendClient) and reinstatement (reinstateClient), part of the TokenStore
 * contract: a suspended client has nothing active, a reinstated one has only what was issued after.
 */

/** Everything a client can hold, each of it checked for being active. */
async function holdings(store: TokenStore, clientId: string) {
  // Its own subject, so that the listing is not crowded by other tests' grants.
  const g = grant(clientId, { subject: `psu-of-${clientId}-${generateOpaqueToken().slice(0, 8)}` });
  await store.createGrant(g);
  const access = generateOpaqueToken();
  const refresh = generateOpaqueToken();
  await store.saveAccessToken(access, accessRecord(clientId, g.grantId));
  await store.saveRefreshToken(refresh, refreshRecord(g));
  const stored = { g, access, refresh };
  const clientCredentials = generateOpaqueToken();
  await store.saveAccessToken(clientCredentials, accessRecord(clientId));
  const code = generateOpaqueToken();
  await store.saveAuthorizationCode(code, codeRecord(stored.g));
  return {
    ...stored,
    clientCredentials,
    code,
    async active() {
      return {
        grant: (await store.findGrant(stored.g.grantId)) !== undefined,
        access: (await store.findAccessToken(stored.access)) !== undefined,
        clientCredentials: (await store.findAccessToken(clientCredentials)) !== undefined,
        refresh: (await store.lookupRefreshToken(stored.refresh)) !== undefined,
        listed: (await store.listGrantsOfSubject(stored.g.subject)).some(
          (listed) => listed.grantId === stored.g.grantId,
        ),
      };
    },
  };
}

const ALL_ACTIVE = { grant: true, access: true, clientCredentials: true, refresh: true, listed: true };
const NONE_ACTIVE = { grant: false, access: false, clientCredentials: false, refresh: false, listed: false };

export function describeSuspensionContract(getStore: () => TokenStore): void {
  describe('suspension and reinstatement', () => {
    it('suspending a client makes everything of it inactive, later tokens too, and no other client', async () => {
      const store = getStore();
      const held = await holdings(store, 'client-suspended-1');
      const other = await holdings(store, 'client-not-suspended-1');
      await store.suspendClient('client-suspended-1');
      await store.suspendClient('client-suspended-1');

      expect(await held.active()).toEqual(NONE_ACTIVE);
      expect(await store.rotateRefreshToken(held.refresh, rotation(held.g))).toBe('revoked');
      // The code is used up, but its grant is inactive: the token endpoint issues nothing from it.
      expect((await store.redeemAuthorizationCode(held.code, 'client-suspended-1')).outcome).toBe('redeemed');
      expect(await store.findGrant(held.g.grantId)).toBeUndefined();
      const later = await holdings(store, 'client-suspended-1');
      expect(await later.active()).toEqual(NONE_ACTIVE);
      expect(await other.active()).toEqual(ALL_ACTIVE);
    });

    it('reinstating keeps what was issued before inactive for good and lets new tokens work', async () => {
      const store = getStore();
      const before = await holdings(store, 'client-reinstated-1');
      await store.suspendClient('client-reinstated-1');
      const during = await holdings(store, 'client-reinstated-1');
      await store.reinstateClient('client-reinstated-1');

      expect(await before.active()).toEqual(NONE_ACTIVE);
      expect(await during.active()).toEqual(NONE_ACTIVE);
      expect(await store.rotateRefreshToken(before.refresh, rotation(before.g))).toBe('revoked');
      const after = await holdings(store, 'client-reinstated-1');
      expect(await after.active()).toEqual(ALL_ACTIVE);
      expect(await store.rotateRefreshToken(after.refresh, rotation(after.g))).toBe('rotated');
    });

    it('resolves a reinstatement only once a token issued right after it counts as new', async () => {
      const store = getStore();
      await store.suspendClient('client-reinstated-2');
      const started = Date.now();
      await store.reinstateClient('client-reinstated-2');
      expect(nowSeconds()).toBeGreaterThan(Math.floor(started / 1000));
      const token = generateOpaqueToken();
      await store.saveAccessToken(token, accessRecord('client-reinstated-2'));
      expect(await store.findAccessToken(token)).toBeDefined();
    });

    it('a repeated reinstatement does not end what was issued since the first', async () => {
      const store = getStore();
      await store.suspendClient('client-reinstated-3');
      await store.reinstateClient('client-reinstated-3');
      const between = await holdings(store, 'client-reinstated-3');
      await store.reinstateClient('client-reinstated-3');
      expect(await between.active()).toEqual(ALL_ACTIVE);
    });

    it('reinstating a client that was never suspended changes nothing', async () => {
      const store = getStore();
      const held = await holdings(store, 'client-never-suspended');
      await store.reinstateClient('client-never-suspended');
      expect(await held.active()).toEqual(ALL_ACTIVE);
    });

    it('a period refusing scopes ends what came before and refuses those scopes after', async () => {
      const store = getStore();
      const before = await holdings(store, 'client-role-suspended');
      await store.reinstateClient('client-role-suspended', ['pisp']);
      expect(await before.active()).toEqual(NONE_ACTIVE);

      // holdings(): the grant's scope is aisp, the client credentials token's pisp.
      const after = await holdings(store, 'client-role-suspended');
      expect(await after.active()).toEqual({ ...ALL_ACTIVE, clientCredentials: false });
      const pispGrant = grant('client-role-suspended', { scope: 'pisp' });
      await store.createGrant(pispGrant);
      expect(await store.findGrant(pispGrant.grantId)).toBeUndefined();
      const refusedRefresh = generateOpaqueToken();
      await store.saveRefreshToken(refusedRefresh, { ...refreshRecord(after.g), scope: 'aisp pisp' });
      expect(await store.lookupRefreshToken(refusedRefresh)).toBeUndefined();
      expect(await store.rotateRefreshToken(refusedRefresh, rotation(after.g))).toBe('revoked');

      // The same refusal again keeps the period; lifting it starts a new one.
      await store.reinstateClient('client-role-suspended', ['pisp']);
      expect(await after.active()).toEqual({ ...ALL_ACTIVE, clientCredentials: false });
      await store.reinstateClient('client-role-suspended');
      expect(await after.active()).toEqual(NONE_ACTIVE);
      const lifted = await holdings(store, 'client-role-suspended');
      expect(await lifted.active()).toEqual(ALL_ACTIVE);
    });

    it('never turns a deleted client back into a suspended or reinstated one', async () => {
      const store = getStore();
      const held = await holdings(store, 'client-deleted-then-suspended');
      await store.revokeClient('client-deleted-then-suspended');
      await store.suspendClient('client-deleted-then-suspended');
      await store.reinstateClient('client-deleted-then-suspended');
      await store.reinstateClient('client-deleted-then-suspended', ['pisp']);
      expect(await held.active()).toEqual(NONE_ACTIVE);
      const later = await holdings(store, 'client-deleted-then-suspended');
      expect(await later.active()).toEqual(NONE_ACTIVE);
    });

    it('undoing a failed deletion puts the suspension or the period back, not an active client', async () => {
      const store = getStore();
      const suspended = await holdings(store, 'client-suspended-delete-failed');
      await store.suspendClient('client-suspended-delete-failed');
      await store.revokeClient('client-suspended-delete-failed');
      await store.revokeClient('client-suspended-delete-failed');
      await store.restoreClient('client-suspended-delete-failed');
      expect(await suspended.active()).toEqual(NONE_ACTIVE);
      expect(await (await holdings(store, 'client-suspended-delete-failed')).active()).toEqual(NONE_ACTIVE);

      const before = await holdings(store, 'client-reinstated-delete-failed');
      await store.suspendClient('client-reinstated-delete-failed');
      await store.reinstateClient('client-reinstated-delete-failed');
      const after = await holdings(store, 'client-reinstated-delete-failed');
      await store.revokeClient('client-reinstated-delete-failed');
      await store.restoreClient('client-reinstated-delete-failed');
      expect(await before.active()).toEqual(NONE_ACTIVE);
      expect(await after.active()).toEqual(ALL_ACTIVE);
    });
  });
}
