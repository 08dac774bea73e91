import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from '@jest/globals';
import { createClientCertificateResolver } from '@psd2/certificates';
import type { RegisteredClient } from '@psd2/client-registry-client';
import { markEdgeConnection } from '@psd2/http';
import { createLogger } from '@psd2/logging';
import { createMemoryRateLimiter } from '@psd2/rate-limit';
import { type AuthorizationDependencies, createAuthorizationApp } from './app.js';
import { createMemorySessionStore } from './session/stores.js';
import { authorizeQuery, csrfToken, pkcePair } from './test-support.js';
import type { PageThrottles } from './web/throttle.js';

/*
 * The app in-process with fakes, as app.test.ts and dependency-errors.test.ts drive it: one active
 * client, a valid request for it, and the pages served on a free port for the file's tests.
 */

export const ISSUER = 'https://as.example';

export const TEST_CLIENT: RegisteredClient = {
  clientId: 'client-1',
  organizationId: 'PSDFR-ACPR-1',
  organizationName: 'Fintech',
  ncaId: 'FR-ACPR',
  roles: ['PSP_AI'],
  registeredSubjectDn: 'CN=app',
  registeredCertificateThumbprint: 'x'.repeat(43),
  metadata: {
    redirectUris: ['https://tpp.example/cb'],
    grantTypes: ['authorization_code'],
    responseTypes: ['code'],
    scope: 'aisp',
  },
  status: 'active',
  createdAt: new Date(),
  updatedAt: new Date(),
  version: 1,
};

/** A valid authorization request of TEST_CLIENT (state `xyz`). */
export const TEST_QUERY = authorizeQuery({
  response_type: 'code',
  client_id: 'client-1',
  redirect_uri: 'https://tpp.example/cb',
  scope: 'aisp',
  state: 'xyz',
  code_challenge: pkcePair().challenge,
  code_challenge_method: 'S256',
});

/** Limits no test reaches. */
export function roomyThrottles(): PageThrottles {
  const roomy = (name: string) => createMemoryRateLimiter({ name, limit: 1000, windowSeconds: 60 });
  return {
    sessionsPerAddress: roomy('sessions'),
    signInPerAddress: roomy('signin-address'),
    signInPerSession: roomy('signin-session'),
    pushedRequestsPerOrganisation: roomy('par-organisation'),
  };
}

/** Serves the pages (sandbox mode, bank page too) for the file's tests; `base()` is their origin. */
export function serveTestApp(
  deps: Pick<AuthorizationDependencies, 'registry' | 'tokenStore' | 'authenticator' | 'psus'> &
    Partial<Pick<AuthorizationDependencies, 'throttles' | 'parRequired' | 'mode' | 'now'>>,
): { base(): string } {
  const app = createAuthorizationApp({
    logger: createLogger({ name: 'authorization-test', level: 'silent' }),
    issuer: ISSUER,
    mode: 'sandbox',
    bankPageInSandbox: true,
    pkceRequired: true,
    parRequired: false,
    certificates: createClientCertificateResolver(),
    paymentRequestSeconds: 600,
    sessions: createMemorySessionStore({ idleSeconds: 60, anonymousSeconds: 60 }),
    throttles: roomyThrottles(),
    ...deps,
  });
  let server: ReturnType<typeof app.listen>;
  let base = '';
  beforeAll(async () => {
    server = app.listen(0, '127.0.0.1');
    // The test's connections stand for the edge's, which the service listener marks in production.
    server.on('connection', markEdgeConnection);
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  return { base: () => base };
}

/** Opens a flow at `page` and posts `fields` to `action` with its session cookie and CSRF token. */
export async function postFromPage(
  base: string,
  page: string,
  action: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  const opened = await fetch(`${base}${page}`);
  const cookie = opened.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  return fetch(`${base}${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
    body: new URLSearchParams({ csrf_token: csrfToken(await opened.text()), ...fields }).toString(),
  });
}
