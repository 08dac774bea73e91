import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientRegistry, RegisteredClient } from '@psd2/client-registry-client';
import { connectPostgres, createPsuDirectory, type DirectoryDatabase, totpAt } from '@psd2/psu-directory';
import { type RunningSystem, startSystem, type TppFetch } from '@psd2/testing';
import { createRedisTokenStore, type TokenStore } from '@psd2/token-store';
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
 * factor, consent; the lockout after five failures, TOTP refusal and replay, session expiry, and the
 * sandbox page being absent.
 */

const IDLE_SECONDS = 3;
const REDIRECT = 'https://tpp.example/bank-cb';

let system: RunningSystem;
let registry: ClientRegistry;
let browser: TppFetch;
let store: TokenStore;
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
      },
    },
  });
  registry = registryOf(system);
  browser = system.client(undefined);
  store = createRedisTokenStore({ url: system.redisUrl, keyPrefix: system.redisKeyPrefix });
  database = connectPostgres({ url: system.database.url, poolSize: 2 });
  await database.migrate();
  const directory = createPsuDirectory({ db: database.db });
  for (const psuId of ['psu-main', 'psu-lock', 'psu-otp', 'psu-idle']) {
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
  await database?.close();
  await system?.stop();
});

const { challenge } = pkcePair();
const query = () =>
  authorizeQuery({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: REDIRECT,
    scope: 'aisp cbpii',
    state: 'bank-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });

interface Flow {
  cookie: string;
  csrf: string;
}

async function open(lang: 'fr' | 'en' = 'fr'): Promise<Flow> {
  const page = await browser(`/oauth2/${lang}/banque/oauth2_authorization.aspx?${query()}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('name="customer_id"');
  expect(page.text).toContain('autocomplete="current-password"');
  const cookie = sessionCookie(page);
  if (cookie === undefined) throw new Error('no session cookie');
  return { cookie, csrf: csrfToken(page.text) };
}

function post(flow: Flow, path: string, fields: Record<string, string>) {
  return browser(path, {
    method: 'POST',
    headers: { ...FORM, cookie: flow.cookie, origin: system.edgeUrl },
    body: form({ csrf_token: flow.csrf, ...fields }),
  });
}

const signIn = (flow: Flow, customerId: string, password: string) =>
  post(flow, '/oauth2/fr/banque/signin', { customer_id: customerId, password });
const sendOtp = (flow: Flow, otp: string) => post(flow, '/oauth2/fr/banque/otp', { otp });

describe('bank mode', () => {
  it('has no sandbox page', async () => {
    const result = await browser(`/oauth2/fr/sandbox/signin.html?${query()}`);
    expect(result.status).toBe(404);
    expect(result.headers.get('location')).toBeNull();
    expect(result.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('signs in with password and TOTP, then the consent grants a code', async () => {
    const flow = await open();
    const wrong = await signIn(flow, 'psu-main', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Identifiant ou mot de passe incorrect');
    // Same answer for an identifier that does not exist.
    const unknown = await signIn(flow, 'psu-nobody', 'whatever-password');
    expect(unknown.status).toBe(401);
    expect(unknown.text).toContain('Identifiant ou mot de passe incorrect');

    const signedIn = await signIn(flow, 'psu-main', 'pw-psu-main-ok');
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/oauth2/fr/banque/otp');
    // Consent cannot be granted before the second factor.
    expect((await post(flow, '/oauth2/fr/banque/consent', { decision: 'grant' })).status).toBe(400);

    const otpPage = await browser('/oauth2/fr/banque/otp', { headers: { cookie: flow.cookie } });
    expect(otpPage.status).toBe(200);
    expect(otpPage.text).toContain('autocomplete="one-time-code"');

    const code = totpAt(secrets.get('psu-main') ?? '', nowSeconds());
    const verified = await sendOtp(flow, code);
    expect(verified.status).toBe(303);
    expect(verified.headers.get('location')).toBe('/oauth2/fr/banque/consent');
    // A new session id after authentication; the old one is dead.
    const authenticated = sessionCookie(verified);
    expect(authenticated).toBeDefined();
    expect(authenticated).not.toBe(flow.cookie);
    const stale = await browser('/oauth2/fr/banque/consent', { headers: { cookie: flow.cookie } });
    expect(stale.status).toBe(400);

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
    const redemption = await store.redeemAuthorizationCode(params.get('code') ?? '', client.clientId);
    expect(redemption.outcome).toBe('redeemed');
    if (redemption.outcome !== 'redeemed') return;
    expect(redemption.record).toMatchObject({
      subject: 'psu-main',
      scope: 'aisp cbpii',
      redirectUri: REDIRECT,
    });
    const grant = await store.findGrant(redemption.record.grantId);
    expect(Math.abs((grant?.authTime ?? 0) - nowSeconds())).toBeLessThan(30);

    // A code already used is refused in a new sign-in (RFC 6238 §5.2).
    const replay = await open();
    expect((await signIn(replay, 'psu-main', 'pw-psu-main-ok')).status).toBe(303);
    const refused = await sendOtp(replay, code);
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('Code incorrect ou déjà utilisé');
  });

  it('refuses a wrong TOTP code and stays on the code step', async () => {
    const flow = await open();
    expect((await signIn(flow, 'psu-otp', 'pw-psu-otp-ok')).status).toBe(303);
    const secret = secrets.get('psu-otp') ?? '';
    const good = totpAt(secret, nowSeconds());
    const bad = good === '000000' ? '111111' : '000000';
    for (const attempt of [bad, '12345', 'abcdef', totpAt(secret, nowSeconds() - 120)]) {
      const result = await sendOtp(flow, attempt);
      expect(result.status).toBe(401);
    }
    const ok = await sendOtp(flow, good);
    expect(ok.status).toBe(303);
  });

  it('locks the PSU after five wrong passwords: then even the right one is refused', async () => {
    const flow = await open();
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      expect((await signIn(flow, 'psu-lock', `wrong-${attempt}`)).status).toBe(401);
    }
    const fifth = await signIn(flow, 'psu-lock', 'wrong-5');
    expect(fifth.status).toBe(423);
    expect(fifth.text).toContain('Trop de tentatives infructueuses');
    const right = await signIn(flow, 'psu-lock', 'pw-psu-lock-ok');
    expect(right.status).toBe(423);
    // A new authorization request does not lift the lock either.
    const fresh = await open();
    expect((await signIn(fresh, 'psu-lock', 'pw-psu-lock-ok')).status).toBe(423);
  });

  it('cancelling from the sign-in page sends access_denied to the client', async () => {
    const flow = await open('en');
    const result = await post(flow, '/oauth2/en/banque/consent', { decision: 'deny' });
    expect(result.status).toBe(303);
    const params = locationParams(result);
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe('bank-state');
    expect(params.get('iss')).toBe(system.edgeUrl);
  });

  it('expires the session after the idle time', async () => {
    const flow = await open();
    expect((await signIn(flow, 'psu-idle', 'pw-psu-idle-ok')).status).toBe(303);
    // Activity slides the expiry: two visits 1.8 s apart outlive the 3-second idle time together...
    for (let visit = 0; visit < 2; visit += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1800));
      expect((await browser('/oauth2/fr/banque/otp', { headers: { cookie: flow.cookie } })).status).toBe(200);
    }
    // ...inactivity ends it.
    await new Promise((resolve) => setTimeout(resolve, (IDLE_SECONDS + 1.2) * 1000));
    const late = await sendOtp(flow, totpAt(secrets.get('psu-idle') ?? '', nowSeconds()));
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
