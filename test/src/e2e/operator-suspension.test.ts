import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { repoRoot } from '@psd2/testing';
import * as oidc from 'openid-client';
import { REDIRECT_URI } from './browser.js';
import { type E2eSystem, itMatchedTheDocument, refusal, startE2e } from './harness.js';

/*
 * Issue 18 end to end: a bank operator, through `pnpm admin` and the registry's admin API (mutual TLS
 * with the operator certificate), suspends a TPP organisation or one of its roles, reinstates it, and
 * withdraws a customer's consent; the TPP sees it at every endpoint through the edge.
 */

let e2e: E2eSystem;
let bank: oidc.Configuration;

beforeAll(async () => {
  e2e = await startE2e({ label: 'e2e-operator' });
  bank = await e2e.discover('psp-as', 'bank-psd2-api');
}, 60_000);

afterAll(async () => {
  await e2e?.stop();
});

const ORGANISATION = 'PSDFR-ACPR-12345'; // tpp-a's organizationIdentifier

/** The built CLI as an operator runs it, with the environment the launcher prints. */
function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'packages', 'admin-cli', 'dist', 'cli.js'), ...args],
      { env: { PATH: process.env.PATH ?? '', ...e2e.system.adminEnv }, timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

const active = async (token: string) => (await oidc.tokenIntrospection(bank, token)).active;

/** The services cache a client for up to 5 s (docs/operations-suspension.md): retried until refused. */
async function refusedWithin(request: () => Promise<unknown>, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await refusal(request());
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** The sandbox page as a PSU's browser walks it (plain HTTP: what is under test is the operator's side). */
async function authorizeOnSandboxPage(url: URL, psuId: string): Promise<URL> {
  const page = await e2e.call(undefined, `${url.pathname}${url.search}`);
  const session = page.headers
    .getSetCookie()
    .map((cookie) => /^__Host-psd2-authz=([^;]+)/.exec(cookie)?.[1])
    .find((value) => value !== undefined);
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.text)?.[1];
  expect({ status: page.status, session: session !== undefined, csrf: csrf !== undefined }).toEqual({
    status: 200,
    session: true,
    csrf: true,
  });
  const consent = await e2e.call(undefined, '/oauth2/fr/sandbox/consent', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `__Host-psd2-authz=${session}`,
    },
    body: new URLSearchParams({ csrf_token: csrf ?? '', decision: 'grant', psu: psuId }).toString(),
  });
  expect(consent.status).toBe(303);
  return new URL(consent.headers.get('location') ?? '');
}

async function aispGrant(psuId: string) {
  const aisp = await e2e.register('tpp-a', {
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'aisp',
    client_name: 'Budget Helper',
  });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(aisp, {
    redirect_uri: REDIRECT_URI,
    scope: 'aisp',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const callback = await authorizeOnSandboxPage(url, psuId);
  const tokens = await oidc.authorizationCodeGrant(aisp, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  return { aisp, url, tokens, clientId: aisp.clientMetadata().client_id };
}

describe('operators suspend, reinstate and withdraw through `pnpm admin`', () => {
  let pisp: oidc.Configuration;

  it('suspending the organisation refuses its clients everywhere and kills its tokens; reinstating restores the clients, not the tokens', async () => {
    const { aisp, url, tokens, clientId } = await aispGrant('psu-alice');
    pisp = await e2e.register('tpp-a', { grant_types: ['client_credentials'], scope: 'pisp' });
    const pispToken = (await oidc.clientCredentialsGrant(pisp, { scope: 'pisp' })).access_token;
    const managementToken = String(aisp.clientMetadata().registration_access_token);
    expect(await active(tokens.access_token)).toBe(true);

    const suspended = await admin(
      'suspend-organisation',
      ORGANISATION,
      '--reason',
      'ACPR withdrew the licence',
      '--json',
    );
    expect(suspended).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(suspended.stdout)).toMatchObject({ changed: true });

    // At once, whatever the services' cache: every token of the organisation is inactive.
    expect(await active(tokens.access_token)).toBe(false);
    expect(await active(pispToken)).toBe(false);
    expect(await refusedWithin(() => oidc.clientCredentialsGrant(pisp, { scope: 'pisp' }))).toEqual({
      error: 'invalid_client',
      status: 401,
    });
    expect(await refusal(oidc.refreshTokenGrant(aisp, tokens.refresh_token ?? ''))).toEqual({
      error: 'invalid_client',
      status: 401,
    });
    const management = await e2e.call('tpp-a', `/oauth2/register/${clientId}`, {
      headers: { authorization: `Bearer ${managementToken}` },
    });
    expect({ status: management.status, error: management.json().error }).toEqual({
      status: 401,
      error: 'invalid_client',
    });
    // The PSU's page: the error page, never a redirect to a client that can no longer be trusted.
    const page = await e2e.call(undefined, `${url.pathname}${url.search}`);
    expect(page.status).toBe(403);
    expect(page.headers.get('location')).toBeNull();

    const reinstated = await admin(
      'reinstate-organisation',
      ORGANISATION,
      '--reason',
      'licence restored on appeal',
    );
    expect(reinstated.code).toBe(0);
    const fresh = await oidc.clientCredentialsGrant(pisp, { scope: 'pisp' }).catch(async () => {
      // A service may still hold the suspended client for up to 5 s.
      await new Promise((resolve) => setTimeout(resolve, 5500));
      return oidc.clientCredentialsGrant(pisp, { scope: 'pisp' });
    });
    expect(await active(fresh.access_token)).toBe(true);
    expect(await active(pispToken)).toBe(false);
    expect(await active(tokens.access_token)).toBe(false);

    const shown = await admin('show-client', clientId, '--json');
    const file = JSON.parse(shown.stdout) as {
      operatorActions: { action: string; reason: string; operatorSubject: string }[];
    };
    expect(file.operatorActions.map((action) => [action.action, action.reason])).toEqual([
      ['suspend_organisation', 'ACPR withdrew the licence'],
      ['reinstate_organisation', 'licence restored on appeal'],
    ]);
    expect(file.operatorActions[0]?.operatorSubject).toContain('CN=Demo Operator');
  }, 90_000);

  it('suspending one role refuses that role only', async () => {
    const { aisp, tokens } = await aispGrant('psu-bruno');
    const suspended = await admin(
      'suspend-organisation',
      ORGANISATION,
      '--role',
      'PSP_PI',
      '--reason',
      'PI role withdrawn',
    );
    expect(suspended.code).toBe(0);
    expect(await refusedWithin(() => oidc.clientCredentialsGrant(pisp, { scope: 'pisp' }))).toEqual({
      error: 'unauthorized_client',
      status: 400,
    });
    // The AISP client holds no PSP_PI scope: its grant and tokens keep working.
    expect(await active(tokens.access_token)).toBe(true);
    const refreshed = await oidc.refreshTokenGrant(aisp, tokens.refresh_token ?? '');
    expect(await active(refreshed.access_token)).toBe(true);
    const listed = await admin('list-clients', '--organisation', ORGANISATION);
    expect(listed.stdout).toContain('suspended: PSP_PI');
    expect(
      (await admin('reinstate-organisation', ORGANISATION, '--role', 'PSP_PI', '--reason', 'restored')).code,
    ).toBe(0);
  }, 60_000);

  it("staff list a customer's consents and withdraw one: its tokens are inactive at once", async () => {
    const { aisp, tokens, clientId } = await aispGrant('psu-chloe');
    const listed = await admin('list-grants', '--psu', 'psu-chloe', '--json');
    expect(listed.code).toBe(0);
    const { grants } = JSON.parse(listed.stdout) as {
      grants: { grantId: string; clientId: string; clientName: string }[];
    };
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ clientId, clientName: 'Budget Helper' });

    const withdrawn = await admin(
      'withdraw-grant',
      grants[0]?.grantId ?? '',
      '--reason',
      'customer called the bank',
    );
    expect(withdrawn.code).toBe(0);
    expect(withdrawn.stdout).toContain('psu-chloe');
    expect(await active(tokens.access_token)).toBe(false);
    expect(await refusal(oidc.refreshTokenGrant(aisp, tokens.refresh_token ?? ''))).toEqual({
      error: 'invalid_grant',
      status: 400,
    });
    expect(JSON.parse((await admin('list-grants', '--psu', 'psu-chloe', '--json')).stdout)).toEqual({
      grants: [],
    });
    expect((await admin('withdraw-grant', grants[0]?.grantId ?? '', '--reason', 'again')).code).toBe(1);
  }, 60_000);

  itMatchedTheDocument(() => e2e);
});
