import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll } from '@jest/globals';
import { formatXfccElement, parseQwac } from '@psd2/certificates';
import {
  ClientNotFoundError,
  type ClientRegistry,
  type ClientSuspension,
  type RegisteredClient,
} from '@psd2/client-registry-client';
import { PAYMENT_INITIATION_EXAMPLE } from '@psd2/payment-details';
import type { PsuAuthenticator, PsuLookup } from '@psd2/psu-directory';
import { testPki } from '@psd2/testing';
import { createMemoryTokenStore } from '@psd2/token-store';
import type { AuthorizationDependencies } from './app.js';
import { serveTestApp } from './app.test-support.js';
import { authorizeQuery, csrfToken, pkcePair } from './test-support.js';

/*
 * Payment consent in process (par.test.ts, payment-pages.test.ts, browser-payment.test.ts): the app with
 * the in-process token store on a clock the test moves, two clients whose QWACs come from the test PKI
 * (the XFCC header the edge would write, on a connection standing for the edge's), and one PSU (`psu-1`,
 * password `pw-ok`, code `123456`).
 */

export const PAY_REDIRECT = 'https://pisp.example/cb';
export const DETAIL = PAYMENT_INITIATION_EXAMPLE;
export const PSU = { psuId: 'psu-1', displayName: 'Client Un' };
export const OTP = '123456';

type Qwac = 'psp-pi' | 'tpp-a';

function clientOf(pem: string, clientId: string, scope: string): RegisteredClient {
  const identity = parseQwac(pem);
  return {
    clientId,
    organizationId: identity.organizationIdentifier,
    organizationName: identity.organizationName ?? 'TPP',
    ncaId: identity.ncaId,
    roles: identity.roles,
    registeredSubjectDn: identity.subjectDn,
    registeredCertificateThumbprint: identity.x5tS256,
    metadata: {
      redirectUris: [PAY_REDIRECT],
      grantTypes: ['authorization_code', 'client_credentials'],
      responseTypes: ['code'],
      scope,
      tokenEndpointAuthMethod: 'tls_client_auth',
      clientName: `<b>${clientId}</b>`,
    },
    status: 'active',
    createdAt: new Date(),
    updatedAt: new Date(),
    version: 1,
  };
}

const psus: PsuLookup & PsuAuthenticator = {
  listPsus: async () => [PSU],
  findPsu: async (psuId) => (psuId === PSU.psuId ? PSU : undefined),
  checkPassword: async (customerId, password) => ({
    customerId,
    passed: customerId === PSU.psuId && password === 'pw-ok',
  }),
  checkOneTimeCode: async (first, code) =>
    first.passed && code === OTP ? { status: 'ok', psu: PSU } : { status: 'refused', reason: 'wrong_code' },
};

export interface Browser {
  cookie: string;
  csrf: string;
  page: Response;
  html: string;
}

export function paymentTestbed(
  options: Partial<Pick<AuthorizationDependencies, 'parRequired' | 'mode' | 'throttles'>> = {},
) {
  /** Seconds added to the real clock. */
  const clock = { offset: 0 };
  const now = () => Date.now() + clock.offset * 1000;
  const store = createMemoryTokenStore({ now });
  const clients = new Map<string, RegisteredClient>();
  const xfcc = new Map<Qwac, string>();
  const registry: Pick<ClientRegistry, 'getClient'> = {
    getClient: async (clientId) => {
      const client = clients.get(clientId);
      if (client === undefined) throw new ClientNotFoundError('not_found', 5, clientId);
      return client;
    },
  };
  beforeAll(async () => {
    const pki = await testPki();
    for (const [qwac, clientId, scope] of [
      ['psp-pi', 'pisp-1', 'pisp'],
      ['tpp-a', 'tpp-a-1', 'aisp pisp'],
    ] as const) {
      const pem = readFileSync(pki.qwacs[qwac].cert, 'utf8');
      clients.set(clientId, clientOf(pem, clientId, scope));
      const hash = createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
      xfcc.set(qwac, formatXfccElement({ hash, cert: pem, subject: '' }));
    }
  });
  const app = serveTestApp({ registry, tokenStore: store, authenticator: psus, psus, now, ...options });
  const { challenge, verifier } = pkcePair();

  const push = (qwac: Qwac | undefined, fields: Record<string, string>) =>
    fetch(`${app.base()}/oauth2/par`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(qwac === undefined ? {} : { 'x-forwarded-client-cert': xfcc.get(qwac) ?? '' }),
      },
      body: new URLSearchParams(fields).toString(),
    });
  /** A valid pushed payment request of `pisp-1` (psp-pi), with overrides ('' drops a field). */
  const paymentFields = (overrides: Record<string, string> = {}) => {
    const fields: Record<string, string> = {
      client_id: 'pisp-1',
      response_type: 'code',
      redirect_uri: PAY_REDIRECT,
      state: 'pay-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      authorization_details: JSON.stringify([DETAIL]),
      ...overrides,
    };
    return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== ''));
  };
  const pushPayment = async (overrides: Record<string, string> = {}): Promise<string> => {
    const response = await push('psp-pi', paymentFields(overrides));
    if (response.status !== 201) throw new Error(`PAR answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { request_uri: string }).request_uri;
  };
  /** Opens an authorization page with `query` (a record or a ready query string). */
  const open = async (path: string, query: Record<string, string> | string): Promise<Response> =>
    fetch(`${app.base()}${path}?${typeof query === 'string' ? query : authorizeQuery(query)}`, {
      redirect: 'manual',
    });
  const start = async (path: string, query: Record<string, string> | string): Promise<Browser> => {
    const page = await open(path, query);
    const html = await page.text();
    if (page.status !== 200) throw new Error(`${path} answered ${page.status}: ${html.slice(0, 500)}`);
    const cookie = page.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    return { cookie, csrf: csrfToken(html), page, html };
  };
  const post = (browser: Browser, path: string, fields: Record<string, string>) =>
    fetch(`${app.base()}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: browser.cookie },
      body: new URLSearchParams({ csrf_token: browser.csrf, ...fields }).toString(),
    });
  /** Bank: password, then the code step's page (its HTML), the browser's cookie following the flow. */
  const toOtp = async (browser: Browser, lang: 'fr' | 'en' = 'fr'): Promise<string> => {
    const signedIn = await post(browser, `/oauth2/${lang}/banque/signin`, {
      customer_id: PSU.psuId,
      password: 'pw-ok',
    });
    if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
    const otpPage = await fetch(`${app.base()}/oauth2/${lang}/banque/otp`, {
      headers: { cookie: browser.cookie },
    });
    return otpPage.text();
  };
  /** Bank: the code; the session id changes, so the browser takes the new cookie. */
  const sendOtp = async (browser: Browser, lang: 'fr' | 'en' = 'fr'): Promise<string> => {
    const answered = await post(browser, `/oauth2/${lang}/banque/otp`, { otp: OTP });
    if (answered.status !== 303) throw new Error(`code step answered ${answered.status}`);
    browser.cookie = answered.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const consent = await fetch(`${app.base()}/oauth2/${lang}/banque/consent`, {
      headers: { cookie: browser.cookie },
    });
    return consent.text();
  };
  return {
    base: app.base,
    store,
    clock,
    verifier,
    challenge,
    push,
    paymentFields,
    pushPayment,
    open,
    start,
    post,
    toOtp,
    sendOtp,
    /** What the registry says of the client's suspension from now on (issue 18); undefined: none. */
    suspend: (clientId: string, suspension: ClientSuspension | undefined) => {
      const client = clients.get(clientId);
      if (client === undefined) throw new Error(`no client ${clientId}`);
      const { suspension: _previous, ...rest } = client;
      clients.set(clientId, suspension === undefined ? rest : { ...rest, suspension });
    },
  };
}

/** The query parameters of a redirect to the client. */
export function redirectParams(response: Response): URLSearchParams {
  const location = response.headers.get('location');
  if (location === null) throw new Error(`no Location (status ${response.status})`);
  return new URL(location).searchParams;
}
