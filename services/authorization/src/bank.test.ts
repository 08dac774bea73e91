import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientRegistry, RegisteredClient } from '@psd2/client-registry-client';
import { connectPostgres, createPsuDirectory, type DirectoryDatabase, totpAt } from '@psd2/psu-directory';
import { type HttpResult, type RunningSystem, startSystem, type TppFetch } from '@psd2/testing';
import { createRedisTokenStore, type TokenStore } from '@psd2/token-store';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import {
  authorizeQuery,
  createTestClient,
  csrfToken,
  FORM,
  form,
  locationParams,
  pkcePair,
  registryOf,
  sessionCookie,
} from './test-support.js';

/*
 * The bank deployment through the local edge: sign-in with customer id + password, the TOTP second
 * factor, consent; one answer for every refusal whoever is named (no enumeration, no telling which
 * factor failed, no telling a lock), the lockout, CSRF on every post, the flood limits (429), the idle
 * expiry, and the sandbox page being absent.
 */

const IDLE_SECONDS = 3;
const SESSIONS_PER_ADDRESS = 20;
const REDIRECT = 'https://tpp.example/bank-cb';
const REFUSED = 'Identifiants incorrects ou accès temporairement bloqué';

let system: RunningSystem;
let registry: ClientRegistry;
let edge: TppFetch;
let store: TokenStore;
let redis: Redis;
let database: DirectoryDatabase;
let client: RegisteredClient;
const secrets = new Map<string, string>();

const nowSeconds = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  system = await startSystem({
    label: 'authz-bank',
    env: {
      authorization: {
        DEPLOYMENT_MODE: 'bank',
        MIGRATE_ON_START: 'true',
        SESSION_IDLE_SECONDS: String(IDLE_SECONDS),
        PSU_LOCK_SECONDS: '600',
        RATE_LIMIT_SESSIONS_PER_ADDRESS: String(SESSIONS_PER_ADDRESS),
      },
    },
  });
  registry = registryOf(system);
  edge = system.client(undefined);
  store = createRedisTokenStore({ url: system.redisUrl, keyPrefix: system.redisKeyPrefix });
  redis = new Redis(system.redisUrl);
  database = connectPostgres({ url: system.database.url, poolSize: 2 });
  await database.migrate();
  const directory = createPsuDirectory({ db: database.db });
  for (const psuId of [
    'psu-main',
    'psu-lock',
    'psu-idle',
    'psu-enum',
    'psu-timing',
    'psu-csrf',
    'psu-flood',
  ]) {
    const { totpSecret } = await directory.addPsu({
      psuId,
      displayName: `Client ${psuId}`,
      password: `pw-${psuId}-ok`,
    });
    secrets.set(psuId, totpSecret);
  }
  client = await createTestClient(registry, {
    roles: ['PSP_AI', 'PSP_IC'],
    scope: 'aisp cbpii',
    redirectUris: [REDIRECT],
  });
}, 60_000);

afterAll(async () => {
  registry?.close();
  await store?.close();
  redis?.disconnect();
  await database?.close();
  await system?.stop();
});

/**
 * A PSU's browser at its own client address (X-Forwarded-For, which the edge passes on and the
 * services trust only behind it): each test counts against its own per-address limits.
 */
function browserAt(address = `198.51.100.${randomBytes(1)[0]}`): TppFetch {
  return (path, init = {}) =>
    edge(path, { ...init, headers: { ...init.headers, 'x-forwarded-for': address } });
}
let browser = browserAt();

const { challenge } = pkcePair();
const query = (overrides: Record<string, string> = {}) =>
  authorizeQuery({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: REDIRECT,
    scope: 'aisp cbpii',
    state: 'bank-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  });

interface Flow {
  cookie: string;
  csrf: string;
}

async function open(lang: 'fr' | 'en' = 'fr', via = browser): Promise<Flow> {
  const page = await via(`/oauth2/${lang}/banque/oauth2_authorization.aspx?${query()}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('name="customer_id"');
  expect(page.text).toContain('autocomplete="current-password"');
  const cookie = sessionCookie(page);
  if (cookie === undefined) throw new Error('no session cookie');
  return { cookie, csrf: csrfToken(page.text) };
}

function post(flow: Flow, path: string, fields: Record<string, string>, via = browser) {
  return via(path, {
    method: 'POST',
    headers: { ...FORM, cookie: flow.cookie, origin: system.edgeUrl },
    body: form({ csrf_token: flow.csrf, ...fields }),
  });
}

const signIn = (flow: Flow, customerId: string, password: string, via = browser) =>
  post(flow, '/oauth2/fr/banque/signin', { customer_id: customerId, password }, via);
const sendOtp = (flow: Flow, otp: string, via = browser) => post(flow, '/oauth2/fr/banque/otp', { otp }, via);
const codeOf = (psuId: string, offset = 0) => totpAt(secrets.get(psuId) ?? '', nowSeconds() + offset);
const wrongCode = (psuId: string) => (codeOf(psuId) === '000000' ? '111111' : '000000');

/** A whole sign-in: the password step always goes on to the code step; the code step answers. */
async function attempt(
  customerId: string,
  password: string,
  otp: string,
  via = browser,
): Promise<HttpResult> {
  const flow = await open('fr', via);
  const first = await signIn(flow, customerId, password, via);
  expect(first.status).toBe(303);
  expect(first.headers.get('location')).toBe('/oauth2/fr/banque/otp');
  return sendOtp(flow, otp, via);
}

/** The page of an answer, without what differs from one session to the next. */
const comparable = (result: HttpResult) => ({
  status: result.status,
  location: result.headers.get('location'),
  page: result.text.replace(/name="csrf_token" value="[^"]+"/g, 'name="csrf_token" value=""'),
});

const sessionKey = (cookie: string) =>
  `${system.redisKeyPrefix}authz:session:${createHash('sha256')
    .update(cookie.split('=')[1] ?? '')
    .digest('base64url')}`;

describe('bank mode', () => {
  it('has no sandbox page', async () => {
    const result = await browser(`/oauth2/fr/sandbox/signin.html?${query()}`);
    expect(result.status).toBe(404);
    expect(result.headers.get('location')).toBeNull();
    expect(result.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('signs in with password and TOTP, then the consent grants a code', async () => {
    const flow = await open();
    const signedIn = await signIn(flow, 'psu-main', 'pw-psu-main-ok');
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/oauth2/fr/banque/otp');
    // Consent cannot be granted before the second factor.
    expect((await post(flow, '/oauth2/fr/banque/consent', { decision: 'grant' })).status).toBe(400);

    const otpPage = await browser('/oauth2/fr/banque/otp', { headers: { cookie: flow.cookie } });
    expect(otpPage.status).toBe(200);
    expect(otpPage.text).toContain('autocomplete="one-time-code"');

    const code = codeOf('psu-main');
    const verified = await sendOtp(flow, code);
    expect(verified.status).toBe(303);
    expect(verified.headers.get('location')).toBe('/oauth2/fr/banque/consent');
    // A new session id after authentication; the old one is dead.
    const authenticated = sessionCookie(verified);
    expect(authenticated).toBeDefined();
    expect(authenticated).not.toBe(flow.cookie);
    expect((await browser('/oauth2/fr/banque/consent', { headers: { cookie: flow.cookie } })).status).toBe(
      400,
    );

    const after = { cookie: authenticated ?? '', csrf: flow.csrf };
    const consent = await browser('/oauth2/fr/banque/consent', { headers: { cookie: after.cookie } });
    expect(consent.status).toBe(200);
    expect(consent.text).toContain('Connecté en tant que Client psu-main');
    expect(consent.text).toContain('180 jours');
    expect(consent.text).toContain('paiement par carte');

    const granted = await post(after, '/oauth2/fr/banque/consent', { decision: 'grant' });
    expect(granted.status).toBe(303);
    const params = locationParams(granted);
    expect(params.get('state')).toBe('bank-state');
    expect(params.get('iss')).toBe(system.edgeUrl);
    const redemption = await store.redeemAuthorizationCode(params.get('code') ?? '');
    expect(redemption.outcome).toBe('redeemed');
    if (redemption.outcome !== 'redeemed') return;
    expect(redemption.record).toMatchObject({
      subject: 'psu-main',
      scope: 'aisp cbpii',
      redirectUri: REDIRECT,
    });
    const grant = await store.findGrant(redemption.record.grantId);
    expect(Math.abs((grant?.authTime ?? 0) - nowSeconds())).toBeLessThan(30);

    // A code already used is refused in a new sign-in (RFC 6238 §5.2), with the one refusal.
    const replay = await attempt('psu-main', 'pw-psu-main-ok', code);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain(REFUSED);
  });

  it('a refusal sends the PSU back to the sign-in page with a new session, whatever failed', async () => {
    const flow = await open();
    expect((await signIn(flow, 'psu-main', 'pw-psu-main-ok')).status).toBe(303);
    const refused = await sendOtp(flow, wrongCode('psu-main'));
    expect(refused.status).toBe(401);
    expect(refused.text).toContain(REFUSED);
    expect(refused.text).toContain('name="customer_id"');
    const next = sessionCookie(refused);
    expect(next).toBeDefined();
    expect(next).not.toBe(flow.cookie);
    // The code step answered once: the old session cannot try another code.
    expect((await sendOtp(flow, codeOf('psu-main'))).status).toBe(400);
    // The new session starts again from the password (and a right sign-in clears the failure).
    const again = { cookie: next ?? '', csrf: csrfToken(refused.text) };
    expect((await sendOtp(again, codeOf('psu-main'))).status).toBe(400);
    expect((await signIn(again, 'psu-main', 'pw-psu-main-ok')).status).toBe(303);
    expect((await sendOtp(again, codeOf('psu-main', 30))).status).toBe(303);
  });

  it('answers a known and an unknown identifier alike in every state: status, page, no lock revealed', async () => {
    browser = browserAt();
    const unknown = () => attempt('psu-ghost', 'pw-psu-enum-ok', codeOf('psu-enum'));
    const expectAlike = async (known: HttpResult) => {
      const other = await unknown();
      expect(comparable(known)).toEqual(comparable(other));
      expect(known.status).toBe(401);
      expect(known.text).toContain(REFUSED);
    };
    // Never seen before, then a wrong password, then the right password with a wrong code.
    await expectAlike(await attempt('psu-enum', 'wrong-password', codeOf('psu-enum')));
    await expectAlike(await attempt('psu-enum', 'pw-psu-enum-ok', wrongCode('psu-enum')));
    for (let failure = 3; failure <= 5; failure += 1) await attempt('psu-enum', 'wrong-password', '000000');
    // Locked: even the right password and the right code get the same answer as a stranger.
    await expectAlike(await attempt('psu-enum', 'pw-psu-enum-ok', codeOf('psu-enum')));
    // The lock ran out (moved into the past in the database): a wrong password still looks the same...
    await database.db.execute(
      sql`update psu_directory_psus set locked_until = now() - interval '1 second' where psu_id = 'psu-enum'`,
    );
    await expectAlike(await attempt('psu-enum', 'wrong-password', codeOf('psu-enum')));
    // ...and the right sign-in gets in.
    expect((await attempt('psu-enum', 'pw-psu-enum-ok', codeOf('psu-enum', 30))).status).toBe(303);
  });

  it('takes as long for an unknown identifier as for a known one (one scrypt check each)', async () => {
    browser = browserAt();
    const timed = async (customerId: string) => {
      const flow = await open();
      const started = performance.now();
      expect((await signIn(flow, customerId, 'wrong-password')).status).toBe(303);
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let round = 0; round < 7; round += 1) {
      known.push(await timed('psu-timing'));
      unknown.push(await timed(`psu-nobody-${round}`));
    }
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    // Skipping the hash for either would be several times faster (scrypt N=2^15 dominates the request);
    // a factor of two either way leaves room for a loaded CI machine.
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('locks the PSU after five failed sign-ins: then even the right password and code are refused', async () => {
    browser = browserAt();
    for (let failure = 1; failure <= 5; failure += 1) {
      const refused = await attempt('psu-lock', `wrong-${failure}`, codeOf('psu-lock'));
      expect(refused.status).toBe(401);
    }
    const right = await attempt('psu-lock', 'pw-psu-lock-ok', codeOf('psu-lock'));
    expect(right.status).toBe(401);
    expect(right.text).toContain(REFUSED);
    expect(right.text).not.toMatch(/bloqué jusqu|423/);
  });

  it('refuses sign-in, code and consent posts without the CSRF token or from another origin (403 page)', async () => {
    browser = browserAt();
    const forged = async (
      path: string,
      fields: Record<string, string>,
      stage: (flow: Flow) => Promise<void>,
    ) => {
      const flow = await open();
      await stage(flow);
      const attempts: HttpResult[] = [
        await browser(path, {
          method: 'POST',
          headers: { ...FORM, cookie: flow.cookie },
          body: form(fields),
        }),
        await post({ ...flow, csrf: 'x'.repeat(43) }, path, fields),
        await browser(path, {
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
    await forged('/oauth2/fr/banque/otp', { otp: codeOf('psu-csrf') }, async (flow) => {
      expect((await signIn(flow, 'psu-csrf', 'pw-psu-csrf-ok')).status).toBe(303);
    });
    await forged('/oauth2/fr/banque/consent', { decision: 'grant' }, none);
    // None of them counted as a sign-in attempt or used the code: the real sign-in still passes.
    expect((await attempt('psu-csrf', 'pw-psu-csrf-ok', codeOf('psu-csrf'))).status).toBe(303);
  });

  it('limits sign-in posts per authorization request: the 429 page with Retry-After', async () => {
    browser = browserAt();
    let flow = await open('en');
    for (let round = 1; round <= 6; round += 1) {
      expect(
        (await post(flow, '/oauth2/en/banque/signin', { customer_id: 'psu-flood', password: 'wrong' }))
          .status,
      ).toBe(303);
      const refused = await post(flow, '/oauth2/en/banque/otp', { otp: '000000' });
      expect(refused.status).toBe(401);
      flow = { cookie: sessionCookie(refused) ?? '', csrf: csrfToken(refused.text) };
    }
    // Twelve posts: a thirteenth is refused, even under the new session ids the refusals handed out.
    const limited = await post(flow, '/oauth2/en/banque/signin', {
      customer_id: 'psu-flood',
      password: 'wrong',
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.text).toContain('<html lang="en">');
    expect(limited.text).toContain('Too many requests in a short time');
  });

  it('limits the sessions one client address opens; another address is not affected', async () => {
    const flooder = browserAt('203.0.113.99');
    for (let load = 1; load <= SESSIONS_PER_ADDRESS; load += 1) await open('fr', flooder);
    const limited = await flooder(`/oauth2/fr/banque/oauth2_authorization.aspx?${query()}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.getSetCookie()).toEqual([]);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.text).toContain('Trop de demandes en peu de temps');
    // Another PSU's address still gets the page.
    await open('fr', browserAt('203.0.113.100'));
  });

  it('refuses an oversized state with invalid_request to the client, without echoing it', async () => {
    const result = await browser(
      `/oauth2/fr/banque/oauth2_authorization.aspx?${query({ state: 's'.repeat(2049) })}`,
    );
    expect(result.status).toBe(302);
    const params = locationParams(result);
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('state')).toBeNull();
    expect(result.headers.getSetCookie()).toEqual([]);
  });

  it('expires the session after the idle time, each visit sliding it', async () => {
    browser = browserAt();
    const flow = await open();
    expect((await signIn(flow, 'psu-idle', 'pw-psu-idle-ok')).status).toBe(303);
    const key = sessionKey(flow.cookie);
    // A visit pushes the expiry back to the full idle time (Redis's TTL, read without touching the session).
    await redis.pexpire(key, 1000);
    expect((await browser('/oauth2/fr/banque/otp', { headers: { cookie: flow.cookie } })).status).toBe(200);
    expect(await redis.pttl(key)).toBeGreaterThan(1500);
    // Left alone, it is gone within the idle time; polled in Redis, not with the page (which would slide it).
    const deadline = Date.now() + (IDLE_SECONDS + 5) * 1000;
    while ((await redis.exists(key)) === 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const late = await sendOtp(flow, codeOf('psu-idle'));
    expect(late.status).toBe(400);
    expect(late.headers.get('location')).toBeNull();
    expect(late.text).toContain('Votre session a expiré');
  });

  it('answers unreachable steps of an expired or absent session with a page', async () => {
    const result = await browser('/oauth2/en/banque/consent');
    expect(result.status).toBe(400);
    expect(result.text).toContain('<html lang="en">');
    expect(result.text).toContain('Your session has expired');
  });
});
