import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect } from '@jest/globals';
import type { ClientRegistry, RegisteredClient } from '@psd2/client-registry-client';
import { connectPostgres, createPsuDirectory, type DirectoryDatabase, totpAt } from '@psd2/psu-directory';
import { type HttpResult, type RunningSystem, startSystem, type TppFetch } from '@psd2/testing';
import { createRedisTokenStore, type TokenStore } from '@psd2/token-store';
import { Redis } from 'ioredis';
import {
  authorizeQuery,
  createTestClient,
  csrfToken,
  FORM,
  form,
  pkcePair,
  registryOf,
  sessionCookie,
} from './test-support.js';

/*
 * The bank deployment as bank.test.ts and bank-limits.test.ts drive it through the edge: a system in
 * bank mode with PSUs and a client, and the pages as a PSU's browser uses them (open the flow, post the
 * forms, one whole sign-in attempt, the page of an answer made comparable across sessions).
 */

export const BANK_REDIRECT = 'https://tpp.example/bank-cb';
/** The one refusal of a sign-in, in French. */
export const REFUSED = 'Identifiants incorrects ou accès temporairement bloqué';

export interface Flow {
  cookie: string;
  csrf: string;
}

export interface BankPages {
  /** Plain requests from this browser's address. */
  readonly fetch: TppFetch;
  open(lang?: 'fr' | 'en'): Promise<Flow>;
  post(flow: Flow, path: string, fields: Record<string, string>): Promise<HttpResult>;
  signIn(flow: Flow, customerId: string, password: string): Promise<HttpResult>;
  sendOtp(flow: Flow, otp: string): Promise<HttpResult>;
  /** A whole sign-in: the password step always goes on to the code step; the code step answers. */
  attempt(customerId: string, password: string, otp: string): Promise<HttpResult>;
}

/**
 * A browser at its own client address (X-Forwarded-For, which the edge passes on and the services trust
 * only behind it): each test counts against its own per-address limits.
 */
export function bankPagesAt(
  system: RunningSystem,
  query: () => string,
  address = `198.51.100.${randomBytes(1)[0]}`,
): BankPages {
  const edge = system.client(undefined);
  const fetch: TppFetch = (path, init = {}) =>
    edge(path, { ...init, headers: { ...init.headers, 'x-forwarded-for': address } });
  const open = async (lang: 'fr' | 'en' = 'fr'): Promise<Flow> => {
    const page = await fetch(`/oauth2/${lang}/banque/oauth2_authorization.aspx?${query()}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="customer_id"');
    expect(page.text).toContain('autocomplete="current-password"');
    const cookie = sessionCookie(page);
    if (cookie === undefined) throw new Error('no session cookie');
    return { cookie, csrf: csrfToken(page.text) };
  };
  const post = (flow: Flow, path: string, fields: Record<string, string>) =>
    fetch(path, {
      method: 'POST',
      headers: { ...FORM, cookie: flow.cookie, origin: system.edgeUrl },
      body: form({ csrf_token: flow.csrf, ...fields }),
    });
  const signIn = (flow: Flow, customerId: string, password: string) =>
    post(flow, '/oauth2/fr/banque/signin', { customer_id: customerId, password });
  const sendOtp = (flow: Flow, otp: string) => post(flow, '/oauth2/fr/banque/otp', { otp });
  return {
    fetch,
    open,
    post,
    signIn,
    sendOtp,
    async attempt(customerId, password, otp) {
      const flow = await open();
      const first = await signIn(flow, customerId, password);
      expect(first.status).toBe(303);
      expect(first.headers.get('location')).toBe('/oauth2/fr/banque/otp');
      return sendOtp(flow, otp);
    },
  };
}

/** The current TOTP code of a secret, `offset` seconds from now. */
export const codeAt = (secret: string, offset = 0) => totpAt(secret, Math.floor(Date.now() / 1000) + offset);

/** A code that is not the current one. */
export const otherThan = (code: string) => (code === '000000' ? '111111' : '000000');

/** The page of an answer, without what differs from one session to the next. */
export const comparable = (result: HttpResult) => ({
  status: result.status,
  location: result.headers.get('location'),
  page: result.text.replace(/name="csrf_token" value="[^"]+"/g, 'name="csrf_token" value=""'),
});

export interface BankSystem {
  readonly system: RunningSystem;
  readonly store: TokenStore;
  readonly redis: Redis;
  readonly database: DirectoryDatabase;
  readonly client: RegisteredClient;
  /** A valid authorization request's query for `client`, with overrides. */
  query(overrides?: Record<string, string>): string;
  /** The current code of a PSU (password `pw-<id>-ok`), `offset` seconds from now. */
  codeOf(psuId: string, offset?: number): string;
  pagesAt(address?: string): BankPages;
  stop(): Promise<void>;
}

export async function startBankSystem(
  label: string,
  env: Record<string, string>,
  psuIds: readonly string[],
): Promise<BankSystem> {
  const system = await startSystem({
    label,
    // Plain requests, as most of these tests drive them: PAR_REQUIRED (unset: required in bank mode) off.
    env: {
      authorization: { DEPLOYMENT_MODE: 'bank', MIGRATE_ON_START: 'true', PAR_REQUIRED: 'false', ...env },
    },
  });
  const registry: ClientRegistry = registryOf(system);
  const store = createRedisTokenStore({ url: system.redisUrl, keyPrefix: system.redisKeyPrefix });
  const redis = new Redis(system.redisUrl);
  const database = connectPostgres({ url: system.database.url, poolSize: 2 });
  await database.migrate();
  const directory = createPsuDirectory({ db: database.db });
  const secrets = new Map<string, string>();
  for (const psuId of psuIds) {
    const added = await directory.addPsu({
      psuId,
      displayName: `Client ${psuId}`,
      password: `pw-${psuId}-ok`,
    });
    secrets.set(psuId, added.totpSecret);
  }
  const client = await createTestClient(registry, {
    roles: ['PSP_AI', 'PSP_IC'],
    scope: 'aisp cbpii',
    redirectUris: [BANK_REDIRECT],
  });
  const { challenge } = pkcePair();
  const query = (overrides: Record<string, string> = {}) =>
    authorizeQuery({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: BANK_REDIRECT,
      scope: 'aisp cbpii',
      state: 'bank-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...overrides,
    });
  return {
    system,
    store,
    redis,
    database,
    client,
    query,
    codeOf: (psuId, offset = 0) => codeAt(secrets.get(psuId) ?? '', offset),
    pagesAt: (address) => bankPagesAt(system, () => query(), address),
    async stop() {
      registry.close();
      await store.close();
      redis.disconnect();
      await database.close();
      await system.stop();
    },
  };
}

/**
 * A test file's bank system, started once for the file, and for each test a browser at an address of
 * its own (so each test counts against its own per-address limits).
 */
export function bankSuite(
  label: string,
  env: Record<string, string>,
  psuIds: readonly string[],
): { readonly bank: BankSystem; readonly pages: BankPages } {
  let bank: BankSystem | undefined;
  let pages: BankPages | undefined;
  beforeAll(async () => {
    bank = await startBankSystem(label, env, psuIds);
  }, 60_000);
  beforeEach(() => {
    pages = bank?.pagesAt();
  });
  afterAll(async () => {
    await bank?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the bank system did not start');
    return value;
  };
  return {
    get bank() {
      return started(bank);
    },
    get pages() {
      return started(pages);
    },
  };
}
