import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { HttpResult } from '@psd2/testing';
import { bankSuite, type Flow } from './bank.test-support.js';
import { csrfToken, FORM, form, locationParams, sessionCookie } from './test-support.js';

/*
 * The bank pages' bounds through the local edge: CSRF on every post, the flood limits (429 per
 * authorization request and per client address), the state size bound, and the idle expiry.
 */

const IDLE_SECONDS = 3;
const SESSIONS_PER_ADDRESS = 20;

const suite = bankSuite(
  'authz-bank-limits',
  {
    SESSION_IDLE_SECONDS: String(IDLE_SECONDS),
    RATE_LIMIT_SESSIONS_PER_ADDRESS: String(SESSIONS_PER_ADDRESS),
  },
  ['psu-idle', 'psu-csrf', 'psu-flood'],
);

const sessionKey = (cookie: string) =>
  `${suite.bank.system.redisKeyPrefix}authz:session:${createHash('sha256')
    .update(cookie.split('=')[1] ?? '')
    .digest('base64url')}`;

describe('bank page limits', () => {
  it('refuses sign-in, code and consent posts without the CSRF token or from another origin (403 page)', async () => {
    const forged = async (
      path: string,
      fields: Record<string, string>,
      stage: (flow: Flow) => Promise<void>,
    ) => {
      const flow = await suite.pages.open();
      await stage(flow);
      const attempts: HttpResult[] = [
        await suite.pages.fetch(path, {
          method: 'POST',
          headers: { ...FORM, cookie: flow.cookie },
          body: form(fields),
        }),
        await suite.pages.post({ ...flow, csrf: 'x'.repeat(43) }, path, fields),
        await suite.pages.fetch(path, {
          method: 'POST',
          headers: { ...FORM, cookie: flow.cookie, origin: 'https://evil.example' },
          body: form({ csrf_token: flow.csrf, ...fields }),
        }),
      ];
      for (const result of attempts) {
        expect(result.status).toBe(403);
        expect(result.headers.get('location')).toBeNull();
        expect(result.text).toContain('Le formulaire envoyé n’est pas valide');
      }
    };
    const none = async () => undefined;
    await forged('/oauth2/fr/banque/signin', { customer_id: 'psu-csrf', password: 'pw-psu-csrf-ok' }, none);
    await forged('/oauth2/fr/banque/otp', { otp: suite.bank.codeOf('psu-csrf') }, async (flow) => {
      expect((await suite.pages.signIn(flow, 'psu-csrf', 'pw-psu-csrf-ok')).status).toBe(303);
    });
    await forged('/oauth2/fr/banque/consent', { decision: 'grant' }, none);
    // None of them counted as a sign-in attempt or used the code: the real sign-in still passes.
    expect(
      (await suite.pages.attempt('psu-csrf', 'pw-psu-csrf-ok', suite.bank.codeOf('psu-csrf'))).status,
    ).toBe(303);
  });

  it('limits sign-in posts per authorization request: the 429 page with Retry-After', async () => {
    let flow = await suite.pages.open('en');
    for (let round = 1; round <= 6; round += 1) {
      expect(
        (
          await suite.pages.post(flow, '/oauth2/en/banque/signin', {
            customer_id: 'psu-flood',
            password: 'wrong',
          })
        ).status,
      ).toBe(303);
      const refused = await suite.pages.post(flow, '/oauth2/en/banque/otp', { otp: '000000' });
      expect(refused.status).toBe(401);
      flow = { cookie: sessionCookie(refused) ?? '', csrf: csrfToken(refused.text) };
    }
    // Twelve posts: a thirteenth is refused, even under the new session ids the refusals handed out.
    const limited = await suite.pages.post(flow, '/oauth2/en/banque/signin', {
      customer_id: 'psu-flood',
      password: 'wrong',
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.text).toContain('<html lang="en">');
    expect(limited.text).toContain('Too many requests in a short time');
  });

  it('limits the sessions one client address opens; another address is not affected', async () => {
    const flooder = suite.bank.pagesAt('203.0.113.99');
    for (let load = 1; load <= SESSIONS_PER_ADDRESS; load += 1) await flooder.open();
    const limited = await flooder.fetch(`/oauth2/fr/banque/oauth2_authorization.aspx?${suite.bank.query()}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.getSetCookie()).toEqual([]);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.text).toContain('Trop de demandes en peu de temps');
    // Another PSU's address still gets the page.
    await suite.bank.pagesAt('203.0.113.100').open();
  });

  it('refuses an oversized state with invalid_request to the client, without echoing it', async () => {
    const result = await suite.pages.fetch(
      `/oauth2/fr/banque/oauth2_authorization.aspx?${suite.bank.query({ state: 's'.repeat(2049) })}`,
    );
    expect(result.status).toBe(302);
    const params = locationParams(result);
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('state')).toBeNull();
    expect(result.headers.getSetCookie()).toEqual([]);
  });

  it('expires the session after the idle time, each visit sliding it', async () => {
    const flow = await suite.pages.open();
    expect((await suite.pages.signIn(flow, 'psu-idle', 'pw-psu-idle-ok')).status).toBe(303);
    const key = sessionKey(flow.cookie);
    // A visit pushes the expiry back to the full idle time (Redis's TTL, read without touching the session).
    await suite.bank.redis.pexpire(key, 1000);
    expect(
      (await suite.pages.fetch('/oauth2/fr/banque/otp', { headers: { cookie: flow.cookie } })).status,
    ).toBe(200);
    expect(await suite.bank.redis.pttl(key)).toBeGreaterThan(1500);
    // Left alone, it is gone within the idle time; polled in Redis, not with the page (which would slide it).
    const deadline = Date.now() + (IDLE_SECONDS + 5) * 1000;
    while ((await suite.bank.redis.exists(key)) === 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const late = await suite.pages.sendOtp(flow, suite.bank.codeOf('psu-idle'));
    expect(late.status).toBe(400);
    expect(late.headers.get('location')).toBeNull();
    expect(late.text).toContain('Votre session a expiré');
  });

  it('reads a session stored before the stages were typed as expired: the page, never a 500', async () => {
    const flow = await suite.pages.open();
    const key = sessionKey(flow.cookie);
    const stored = JSON.parse((await suite.bank.redis.hget(key, 'd')) ?? '{}') as Record<string, unknown>;
    const before = { ...stored, version: 1, stage: 'otp', signIn: { customerId: 'psu-idle', passed: true } };
    await suite.bank.redis.hset(key, 'd', JSON.stringify(before));
    const otp = await suite.pages.fetch('/oauth2/fr/banque/otp', { headers: { cookie: flow.cookie } });
    expect(otp.status).toBe(400);
    expect(otp.text).toContain('Votre session a expiré');
    expect((await suite.pages.sendOtp(flow, suite.bank.codeOf('psu-idle'))).status).toBe(400);
  });

  it('answers unreachable steps of an expired or absent session with a page', async () => {
    const result = await suite.pages.fetch('/oauth2/en/banque/consent');
    expect(result.status).toBe(400);
    expect(result.text).toContain('<html lang="en">');
    expect(result.text).toContain('Your session has expired');
  });
});
