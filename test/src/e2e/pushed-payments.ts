import { type TokenStoreKeys, tokenStoreKeys } from '@psd2/token-store';
import { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { REDIRECT_URI } from './browser.js';
import type { E2eSystem } from './harness.js';

/*
 * The standards way in, as tpp-payments.test.ts drives it: the PISP pushing its payment with
 * openid-client, and the clock of the system's Redis, which the tests move instead of waiting out a
 * deadline of minutes.
 */

export interface Pushed {
  readonly url: URL;
  readonly verifier: string;
  readonly state: string;
}

/** RFC 9126 with openid-client: the payment pushed, the authorization URL with client_id + request_uri. */
export async function pushPayment(pisp: oidc.Configuration, detail: object): Promise<Pushed> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = await oidc.buildAuthorizationUrlWithPAR(pisp, {
    redirect_uri: REDIRECT_URI,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    authorization_details: JSON.stringify([detail]),
  });
  return { url, verifier, state };
}

export interface PaymentClock {
  /** The payment request a pushed request carries (read before the page uses the request_uri up). */
  paymentRequestOf(pushed: Pushed): Promise<string>;
  /** The pushed request's expires_in (60 s) is over: Redis drops it, as it would then. */
  expirePushedRequest(pushed: Pushed): Promise<void>;
  /**
   * The payment's decision deadline (PAR_PAYMENT_REQUEST_SECONDS, 600 s) passes now: both places the
   * store keeps it (the record, and the field the atomic decision compares) move to a second ago.
   */
  passDeadline(paymentRequestId: string): Promise<void>;
  close(): void;
}

export function paymentClock(e2e: E2eSystem): PaymentClock {
  const redis = new Redis(e2e.system.redisUrl, { maxRetriesPerRequest: 1 });
  const keys: TokenStoreKeys = tokenStoreKeys(e2e.system.redisKeyPrefix);
  const pushedKey = (pushed: Pushed) => keys.pushedRequest(pushed.url.searchParams.get('request_uri') ?? '');
  return {
    async paymentRequestOf(pushed) {
      const stored = JSON.parse((await redis.get(pushedKey(pushed))) ?? '{}') as {
        paymentRequestId?: string;
      };
      if (stored.paymentRequestId === undefined) throw new Error('the pushed request carries no payment');
      return stored.paymentRequestId;
    },
    async expirePushedRequest(pushed) {
      if ((await redis.pexpire(pushedKey(pushed), 1)) !== 1) throw new Error('no such pushed request');
      await new Promise((resolve) => setTimeout(resolve, 20));
      if ((await redis.exists(pushedKey(pushed))) !== 0) throw new Error('the pushed request is still there');
    },
    async passDeadline(paymentRequestId) {
      const key = keys.paymentRequest(paymentRequestId);
      const past = Math.floor(Date.now() / 1000) - 1;
      const record = JSON.parse((await redis.hget(key, 'record')) ?? '{}') as Record<string, unknown>;
      await redis.hset(
        key,
        'record',
        JSON.stringify({ ...record, expiresAt: past }),
        'expiresAt',
        String(past),
      );
    },
    close: () => redis.disconnect(),
  };
}
