import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RunningSystem, startSystem } from '@psd2/testing';
import { Redis } from 'ioredis';
import { aispMetadata, JSON_HEADERS, manage, register } from './test-support.js';

/*
 * The abuse limits, with small numbers so they are reached quickly: body size, clients per organisation,
 * requests per organisation and window (counted in Redis, shared by every replica).
 */

const MAX_CLIENTS = 2;
const RATE_LIMIT = 5;

let system: RunningSystem;

beforeAll(async () => {
  system = await startSystem({
    label: 'registration-abuse',
    env: {
      registration: {
        MAX_CLIENTS_PER_ORGANISATION: String(MAX_CLIENTS),
        REGISTRATION_RATE_LIMIT: String(RATE_LIMIT),
        REGISTRATION_RATE_WINDOW_SECONDS: '300',
        REGISTRATION_MAX_BODY_BYTES: '4096',
      },
    },
  });
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

describe('abuse limits', () => {
  it('refuses a body above REGISTRATION_MAX_BODY_BYTES with 413', async () => {
    const response = await register(system, 'tpp-b', aispMetadata({ client_name: 'x'.repeat(5000) }));
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('caps the active clients of an organisation with 403 access_denied, until one is deleted', async () => {
    const created = [];
    for (let i = 0; i < MAX_CLIENTS; i++) {
      const response = await register(system, 'psp-ai', aispMetadata());
      expect(response.status).toBe(201);
      created.push(response.json<{ client_id: string; registration_access_token: string }>());
    }
    const refused = await register(system, 'psp-ai', aispMetadata());
    expect(refused.status).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'access_denied' });
    expect(refused.json<{ error_description: string }>().error_description).toContain(
      `${MAX_CLIENTS} clients`,
    );

    // Another organisation is not affected.
    expect((await register(system, 'psp-ic', aispMetadata({ scope: 'cbpii' }))).status).toBe(201);

    const first = created[0];
    if (first === undefined) throw new Error('no client registered');
    expect(
      (await manage(system, 'psp-ai', 'DELETE', first.client_id, first.registration_access_token)).status,
    ).toBe(204);
    expect((await register(system, 'psp-ai', aispMetadata())).status).toBe(201);
  });

  it('limits the requests of an organisation per window with 429 and Retry-After, shared through Redis', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT + 2; i++) {
      // Invalid metadata: refusals count as much as registrations, and nothing piles up.
      const response = await register(system, 'psp-pi', { scope: 'pisp' });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.json()).toMatchObject({ error: 'invalid_request' });
        expect(response.json<{ error_description: string }>().error_description).toContain('retry after');
        const retryAfter = Number(response.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(300);
      }
    }
    expect(statuses).toEqual([...Array<number>(RATE_LIMIT).fill(400), 429, 429]);

    // Management requests count against the same budget.
    const management = await manage(system, 'psp-pi', 'GET', 'ZZZZZZZZZZZZZZZZZZZZZZ', 'x');
    expect(management.status).toBe(429);

    // The counter lives in Redis under the system's prefix, so every replica sees the same one.
    const redis = new Redis(system.redisUrl);
    try {
      const count = await redis.get(`${system.redisKeyPrefix}rl:registration:PSDFR-ACPR-20002`);
      expect(Number(count)).toBe(RATE_LIMIT + 3);
      expect(await redis.ttl(`${system.redisKeyPrefix}rl:registration:PSDFR-ACPR-20002`)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }

    // Another organisation has its own budget.
    const other = await system.client('tpp-b')('/oauth2/register', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{}',
    });
    expect(other.status).toBe(400);
  });
});
