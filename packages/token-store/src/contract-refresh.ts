import { describe, expect, it } from '@jest/globals';
import {
  type ContractClock,
  grant,
  OTHER_THUMBPRINT,
  owner,
  refreshRecord,
  rotation,
} from './contract-fixtures.js';
import type { GrantRecord } from './records.js';
import { generateOpaqueToken, hashSecret } from './secrets.js';
import type { TokenStore } from './store.js';

/*
 * Refresh tokens in the contract suite: certificate binding, rotation, retries within the grace window
 * and reuse detection. Run by describeTokenStoreContract for every implementation.
 */

const GRACE_SECONDS = 60;

export function describeRefreshTokenContract(storeOf: () => TokenStore, clock: ContractClock): void {
  describe('refresh tokens', () => {
    /** A grant with one active refresh token. */
    async function activeToken(clientId: string) {
      const store = storeOf();
      const g = grant(clientId);
      await store.createGrant(g);
      const token = generateOpaqueToken();
      const record = refreshRecord(g);
      await store.saveRefreshToken(token, record);
      return { g, token, record };
    }

    it('rotates a refresh token: the old one is retired naming its successor, the new pair is active', async () => {
      const store = storeOf();
      const { g, token, record } = await activeToken('client-rt-1');
      expect(await store.lookupRefreshToken(token)).toEqual({ state: 'active', record });

      const request = rotation(g);
      expect(await store.rotateRefreshToken(token, request)).toBe('rotated');
      expect(await store.lookupRefreshToken(token)).toEqual({
        state: 'rotated',
        record,
        successor: hashSecret(request.next.refreshToken),
      });
      expect(await store.lookupRefreshToken(request.next.refreshToken)).toEqual({
        state: 'active',
        record: request.next.refreshRecord,
      });
      expect(await store.findAccessToken(request.next.accessToken)).toEqual(request.next.accessRecord);
    });

    it('without a grace window, treats reuse of a rotated token as theft and revokes the whole grant', async () => {
      const store = storeOf();
      const { g, token } = await activeToken('client-rt-2');
      const first = rotation(g);
      expect(await store.rotateRefreshToken(token, first)).toBe('rotated');

      const successor = hashSecret(first.next.refreshToken);
      expect(await store.rotateRefreshToken(token, rotation(g, { expectedSuccessor: successor }))).toBe(
        'reused',
      );
      expect(await store.findGrant(g.grantId)).toBeUndefined();
      expect(await store.findAccessToken(first.next.accessToken)).toBeUndefined();
      expect(await store.lookupRefreshToken(first.next.refreshToken)).toBeUndefined();
    });

    it('without a grace window, lets exactly one of two concurrent rotations win', async () => {
      const store = storeOf();
      const { g, token } = await activeToken('client-rt-3');
      const outcomes = await Promise.all([
        store.rotateRefreshToken(token, rotation(g)),
        store.rotateRefreshToken(token, rotation(g)),
      ]);
      expect(outcomes.sort()).toEqual(['reused', 'rotated']);
    });

    it('refuses to rotate within a revoked grant', async () => {
      const store = storeOf();
      const { g, token } = await activeToken('client-rt-4');
      await store.revokeGrant(g.grantId);
      expect(await store.lookupRefreshToken(token)).toBeUndefined();
      const request = rotation(g);
      expect(await store.rotateRefreshToken(token, request)).toBe('revoked');
      expect(await store.findAccessToken(request.next.accessToken)).toBeUndefined();
    });

    it("refuses another client's token and another certificate, changing nothing", async () => {
      const store = storeOf();
      const { g, token } = await activeToken('client-rt-5');
      const thief = { clientId: 'client-rt-5-thief', certificateThumbprint: OTHER_THUMBPRINT };
      const attempts = [
        rotation(g, { presenter: thief, reuseGraceSeconds: GRACE_SECONDS }),
        rotation(g, { presenter: owner(g, OTHER_THUMBPRINT), reuseGraceSeconds: GRACE_SECONDS }),
      ];
      for (const attempt of attempts) {
        expect(await store.rotateRefreshToken(token, attempt)).toBe('refused');
        expect(await store.findAccessToken(attempt.next.accessToken)).toBeUndefined();
        expect(await store.lookupRefreshToken(attempt.next.refreshToken)).toBeUndefined();
      }
      expect(await store.lookupRefreshToken(token)).toMatchObject({ state: 'active' });

      // Once rotated, another client's presentation is still refused and costs the owner nothing.
      const own = rotation(g, { reuseGraceSeconds: GRACE_SECONDS });
      expect(await store.rotateRefreshToken(token, own)).toBe('rotated');
      const stale = { presenter: thief, expectedSuccessor: hashSecret(own.next.refreshToken) };
      expect(await store.rotateRefreshToken(token, rotation(g, stale))).toBe('refused');
      expect(await store.findGrant(g.grantId)).toEqual(g);
      expect(await store.lookupRefreshToken(own.next.refreshToken)).toMatchObject({ state: 'active' });
    });

    describe(`with a ${GRACE_SECONDS} s grace window`, () => {
      /** A token rotated once: returns the retired token and the key of its successor. */
      async function rotatedToken(clientId: string) {
        const store = storeOf();
        const { g, token } = await activeToken(clientId);
        const first = rotation(g, { reuseGraceSeconds: GRACE_SECONDS });
        expect(await store.rotateRefreshToken(token, first)).toBe('rotated');
        return { g, token, first, successor: hashSecret(first.next.refreshToken) };
      }
      const retry = (g: GrantRecord, expectedSuccessor: string | undefined) =>
        rotation(g, {
          reuseGraceSeconds: GRACE_SECONDS,
          ...(expectedSuccessor === undefined ? {} : { expectedSuccessor }),
        });

      it('accepts a retry of the previous token, retiring the unused successor: one token stays active', async () => {
        const store = storeOf();
        const { g, token, first, successor } = await rotatedToken('client-grace-1');
        clock.offsetMs = (GRACE_SECONDS - 1) * 1000;
        const second = retry(g, successor);
        expect(await store.rotateRefreshToken(token, second)).toBe('retried');
        expect(await store.findGrant(g.grantId)).toEqual(g);
        expect(await store.lookupRefreshToken(first.next.refreshToken)).toMatchObject({ state: 'rotated' });
        expect(await store.lookupRefreshToken(second.next.refreshToken)).toMatchObject({ state: 'active' });
        expect(await store.findAccessToken(second.next.accessToken)).toEqual(second.next.accessRecord);

        // The retried token now names the new successor, so a second lost answer is retried the same way.
        const third = retry(g, hashSecret(second.next.refreshToken));
        expect(await store.lookupRefreshToken(token)).toMatchObject({
          state: 'rotated',
          successor: hashSecret(second.next.refreshToken),
        });
        expect(await store.rotateRefreshToken(token, third)).toBe('retried');
        expect(await store.lookupRefreshToken(second.next.refreshToken)).toMatchObject({ state: 'rotated' });
        expect(await store.lookupRefreshToken(third.next.refreshToken)).toMatchObject({ state: 'active' });
      });

      it('answers raced, changing nothing, when the successor is not the one the caller saw', async () => {
        const store = storeOf();
        const { g, token, first } = await rotatedToken('client-grace-2');
        for (const stale of [undefined, hashSecret(generateOpaqueToken())]) {
          const request = retry(g, stale);
          expect(await store.rotateRefreshToken(token, request)).toBe('raced');
          expect(await store.lookupRefreshToken(request.next.refreshToken)).toBeUndefined();
        }
        expect(await store.lookupRefreshToken(first.next.refreshToken)).toMatchObject({ state: 'active' });
      });

      it('lets two concurrent rotations both succeed in turn: rotated, then raced and retried', async () => {
        const store = storeOf();
        const { g, token } = await activeToken('client-grace-3');
        const outcomes = await Promise.all([
          store.rotateRefreshToken(token, retry(g, undefined)),
          store.rotateRefreshToken(token, retry(g, undefined)),
        ]);
        expect(outcomes.sort()).toEqual(['raced', 'rotated']);
        const lookup = await store.lookupRefreshToken(token);
        if (lookup?.state !== 'rotated') throw new Error(`expected a rotated token, got ${lookup?.state}`);
        const again = retry(g, lookup.successor);
        expect(await store.rotateRefreshToken(token, again)).toBe('retried');
        expect(await store.lookupRefreshToken(again.next.refreshToken)).toMatchObject({ state: 'active' });
      });

      it('treats the previous token as reuse once the window has passed', async () => {
        const store = storeOf();
        const { g, token, first, successor } = await rotatedToken('client-grace-4');
        clock.offsetMs = GRACE_SECONDS * 1000;
        expect(await store.rotateRefreshToken(token, retry(g, successor))).toBe('reused');
        expect(await store.findGrant(g.grantId)).toBeUndefined();
        expect(await store.findAccessToken(first.next.accessToken)).toBeUndefined();
      });

      it('treats the previous token from another certificate as reuse', async () => {
        const store = storeOf();
        const { g, token, successor } = await rotatedToken('client-grace-5');
        const request = rotation(g, {
          presenter: owner(g, OTHER_THUMBPRINT),
          reuseGraceSeconds: GRACE_SECONDS,
          expectedSuccessor: successor,
        });
        expect(await store.rotateRefreshToken(token, request)).toBe('reused');
        expect(await store.findGrant(g.grantId)).toBeUndefined();
      });

      it('treats a token older than the previous one as reuse: its successor was used', async () => {
        const store = storeOf();
        const { g, token, first, successor } = await rotatedToken('client-grace-6');
        const second = retry(g, undefined);
        expect(await store.rotateRefreshToken(first.next.refreshToken, second)).toBe('rotated');
        expect(await store.rotateRefreshToken(token, retry(g, successor))).toBe('reused');
        expect(await store.findGrant(g.grantId)).toBeUndefined();
        expect(await store.findAccessToken(second.next.accessToken)).toBeUndefined();
      });
    });
  });
}
