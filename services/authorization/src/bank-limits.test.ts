import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { HttpResult } from '@psd2/testing';
import { type BankPages, type BankSystem, type Flow, startBankSystem } from './bank.test-support.js';
import { csrfToken, FORM, form, locationParams, sessionCookie } from './test-support.js';

/*
 * The bank pages' bounds through the local edge: CSRF on every post, the flood limits (429 per
 * authorization request and per client address), the state size bound, and the idle expiry.
 */

const IDLE_SECONDS = 3;
const SESSIONS_PER_ADDRESS = 20;

let bank: BankSystem;
/** Each test is a browser at an address of its own. */
let pages: BankPages;
beforeEach(() => {
  pages = bank.pagesAt();
});
afterAll(async () => {
  await bank?.stop();
});

beforeAll(async () => {
  bank = await startBankSystem(
    'authz-bank-limits',
    {
      SESSION_IDLE_SECONDS: String(IDLE_SECONDS),
      RATE_LIMIT_SESSIONS_PER_ADDRESS: String(SESSIONS_PER_ADDRESS),
    },
    ['psu-idle', 'psu-csrf', 'psu-flood'],
  );
}, 60_000);

const sessionKey = (cookie: string) =>
  `${bank.system.redisKeyPrefix}authz:session:${createHash('sha256')
    .update(cookie.split('=')[1] ?? '')
    .digest('base64url')}`;

describe('bank page limits', () => {
  it('refuses sign-in, code and consent posts without the CSRF token or from another origin (403 page)', async () => {
    const forged = async (
      path: string,
      fields: Record<string, string>,
      stage: (flow: Flow) => Promise<void>,
    ) => {
      const flow = await pages.open();
      await stage(flow);
      const attempts: HttpResult[] = [
        await pages.fetch(path, {
          method: 'POST',
          headers: { ...FORM, cookie: flow.cookie },
          body: form(fields),
        }),
        await pages.post({ ...flow, csrf: 'x'.repeat(43) }, path, fields),
        await pages.fetch(path, {
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
    await forged('/oauth2/fr/banque/otp', { otp: bank.codeOf('psu-csrf') }, async (flow) => {
      expect((await pages.signIn(flow, 'psu-csrf', 'pw-psu-csrf-ok')).status).toBe(303);
    });
    await forged('/oauth2/fr/banque/consent', { decision: 'grant' }, none);
    // None of them counted as a sign-in attempt or used the code: the real sign-in still passes.
    expect((await pages.attempt('psu-csrf', 'pw-psu-csrf-ok', bank.codeOf('psu-csrf'))).status).toBe(303);
  });

  it('limits sign-in posts per authorization request: the 429 page with Retry-After', async () => {
    let flow = await pages.open('en');
    for (let round = 1; round <= 6; round += 1) {
      expect(
        (await pages.post(flow, '/oauth2/en/banque/signin', { customer_id: 'psu-flood', password: 'wrong' }))
          .status,
      ).toBe(303);
      const refused = await pages.post(flow, '/oauth2/en/banque/otp', { otp: '000000' });
      expect(refused.status).toBe(401);
      flow = { cookie: sessionCookie(refused) ?? '', csrf: csrfToken(refused.text) };
    }
    // Twelve posts: a thirteenth is refused, even under the new session ids the refusals handed out.
    const limited = await pages.post(flow, '/oauth2/en/banque/signin', {
      customer_id: 'psu-flood',
      password: 'wrong',
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.text).toContain('<html lang="en">');
    expect(limited.text).toContain('Too many requests in a short time');
  });

  it('limits the sessions one client address opens; another address is not affected', async () => {
    const flooder = bank.pagesAt('203.0.113.99');
    for (let load = 1; load <= SESSIONS_PER_ADDRESS; load += 1) await flooder.open();
    const limited = await flooder.fetch(`/oauth2/fr/banque/oauth2_authorization.aspx?${bank.query()}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.getSetCookie()).toEqual([]);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.text).toContain('Trop de demandes en peu de temps');
    // Another PSU's address still gets the page.
    await bank.pagesAt('203.0.113.100').open();
  });

  it('refuses an oversized state with invalid_request to the client, without echoing it', async () => {
    const result = await pages.fetch(
      `/oauth2/fr/banque/oauth2_authorization.aspx?${bank.query({ state: 's'.repeat(2049) })}`,
    );
    expect(result.status).toBe(302);
    const params = locationParams(result);
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('state')).toBeNull();
    expect(result.headers.getSetCookie()).toEqual([]);
  });

  it('expires the session after the idle time, each visit sliding it', async () => {
    const flow = await pages.open();
    expect((await pages.signIn(flow, 'psu-idle', 'pw-psu-idle-ok')).status).toBe(303);
    const key = sessionKey(flow.cookie);
    // A visit pushes the expiry back to the full idle time (Redis's TTL, read without touching the session).
    await bank.redis.pexpire(key, 1000);
    expect((await pages.fetch('/oauth2/fr/banque/otp', { headers: { cookie: flow.cookie } })).status).toBe(
      200,
    );
    expect(await bank.redis.pttl(key)).toBeGreaterThan(1500);
    // Left alone, it is gone within the idle time; polled in Redis, not with the page (which would slide it).
    const deadline = Date.now() + (IDLE_SECONDS + 5) * 1000;
    while ((await bank.redis.exists(key)) === 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const late = await pages.sendOtp(flow, bank.codeOf('psu-idle'));
    expect(late.status).toBe(400);
    expect(late.headers.get('location')).toBeNull();
    expect(late.text).toContain('Votre session a expiré');
  });

  it('answers unreachable steps of an expired or absent session with a page', async () => {
    const result = await pages.fetch('/oauth2/en/banque/consent');
    expect(result.status).toBe(400);
    expect(result.text).toContain('<html lang="en">');
    expect(result.text).toContain('Your session has expired');
  });
});
