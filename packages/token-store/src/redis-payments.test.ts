import { afterAll, describe, expect, it } from '@jest/globals';
import { createIsolatedRedisPrefix, freePort, testRedisUrl } from '@psd2/testing';
import { Redis } from 'ioredis';
import { nowSeconds, paymentGrant, paymentRequest } from './contract-fixtures.js';
import { TokenStoreUnavailableError } from './errors.js';
import { PAYMENT_REQUEST_RETENTION_SECONDS } from './payment-store.js';
import { createRedisTokenStore } from './redis-store.js';
import { generatePaymentRequestId, generateRequestUri, hashSecret } from './secrets.js';

/* What the contract suite cannot see of payment consent on Redis: key layout, TTLs, outages. */

const keyPrefix = createIsolatedRedisPrefix('token-store-payments');
const store = createRedisTokenStore({ url: testRedisUrl(), keyPrefix });
const raw = new Redis(testRedisUrl());

afterAll(async () => {
  const keys = await raw.keys(`${keyPrefix}*`);
  if (keys.length > 0) await raw.del(...keys);
  raw.disconnect();
  await store.close();
});

/** Seconds left on `key`, and whether that is within a second or two of `expected`. */
async function expectTtlNear(key: string, expected: number) {
  const ttl = await raw.ttl(key);
  expect(ttl).toBeGreaterThanOrEqual(expected - 2);
  expect(ttl).toBeLessThanOrEqual(expected + 1);
}

describe('payment requests on Redis', () => {
  it('keeps a request until its retention after expiry, through decision, token and completion', async () => {
    const request = paymentRequest('client-redis-pay-1', { lifetimeSeconds: 600 });
    const key = `${keyPrefix}p:${request.paymentRequestId}`;
    const retained = request.expiresAt + PAYMENT_REQUEST_RETENTION_SECONDS - nowSeconds();
    await store.createPaymentRequest(request);
    await expectTtlNear(key, retained);

    const g = paymentGrant(request);
    await store.createGrant(g);
    const decision = { scaBinding: 'b', subject: 'psu-1', grantId: g.grantId, decidedAt: nowSeconds() };
    expect(
      await store.decidePaymentRequest(request.paymentRequestId, { outcome: 'approved', ...decision }),
    ).toBe('decided');
    await expectTtlNear(key, retained);
    await store.bindPaymentToken(request.paymentRequestId, {
      accessTokenHash: hashSecret('token'),
      certificateThumbprint: 't',
      issuedAt: nowSeconds(),
      expiresAt: nowSeconds() + 300,
    });
    await expectTtlNear(key, retained);
    expect(await store.completePaymentRequest(request.paymentRequestId, 'executed', nowSeconds())).toBe(
      'completed',
    );
    await expectTtlNear(key, retained);
    expect(await raw.exists(`${keyPrefix}g:${g.grantId}`)).toBe(0);
  });

  it('creates no key when a token is bound to an unknown request', async () => {
    const paymentRequestId = generatePaymentRequestId();
    await store.bindPaymentToken(paymentRequestId, {
      accessTokenHash: hashSecret('token'),
      certificateThumbprint: 't',
      issuedAt: nowSeconds(),
      expiresAt: nowSeconds() + 300,
    });
    expect(await raw.exists(`${keyPrefix}p:${paymentRequestId}`)).toBe(0);
  });

  it('keeps a pushed request until it expires, under the hash of its request_uri, then forgets it when used', async () => {
    const requestUri = generateRequestUri();
    const key = `${keyPrefix}q:${hashSecret(requestUri)}`;
    const record = {
      clientId: 'client-redis-par',
      parameters: { scope: 'pisp' },
      expiresAt: nowSeconds() + 60,
    };
    await store.savePushedRequest(requestUri, record);
    await expectTtlNear(key, 60);
    expect(await store.usePushedRequest(requestUri, record.clientId)).toEqual({ outcome: 'used', record });
    expect(await raw.exists(key)).toBe(0);
  });
});

describe('payment consent when Redis is unreachable', () => {
  it('fails fast with the typed error, as every other method', async () => {
    const unreachable = createRedisTokenStore({
      url: `redis://127.0.0.1:${await freePort()}`,
      commandTimeoutMs: 500,
    });
    const request = paymentRequest('client-redis-down');
    const calls = [
      () => unreachable.createPaymentRequest(request),
      () => unreachable.findPaymentRequest(request.paymentRequestId),
      () => unreachable.decidePaymentRequest(request.paymentRequestId, { outcome: 'rejected', decidedAt: 1 }),
      () =>
        unreachable.bindPaymentToken(request.paymentRequestId, {
          accessTokenHash: 'h',
          certificateThumbprint: 't',
          issuedAt: 1,
          expiresAt: 2,
        }),
      () => unreachable.completePaymentRequest(request.paymentRequestId, 'cancelled', 1),
      () =>
        unreachable.savePushedRequest('urn:x', {
          clientId: 'c',
          parameters: {},
          expiresAt: nowSeconds() + 60,
        }),
      () => unreachable.usePushedRequest('urn:x', 'c'),
    ];
    try {
      for (const call of calls) await expect(call()).rejects.toBeInstanceOf(TokenStoreUnavailableError);
    } finally {
      await unreachable.close();
    }
  });
});
