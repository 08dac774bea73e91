import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectPaymentConsentApi, PaymentKind } from '@psd2/payment-consent-proto';
import {
  type CodeFlowParties,
  documentationAddress,
  type OwnRedisCluster,
  ownRedisCluster,
  repoRoot,
  runCodeFlow,
} from '@psd2/testing';
import { hashSecret } from '@psd2/token-store';
import { Agent } from 'undici';
import { REDIRECT_URI } from './browser.js';
import { keyCountOn, keyKindsOnCluster, masterPortOf } from './cluster-keys.js';
import { type CallResult, type E2eSystem, itMatchedTheDocument, startE2e } from './harness.js';

/*
 * The whole system on a Redis Cluster of this file's own (three masters, `appendonly yes` and
 * `appendfsync always` as docs/token-store.md prescribes), through the edge: every kind of data the
 * services keep lands on the cluster and nothing on the shared Redis; then a master crashes under a
 * small request loop: meanwhile the answers are 503 temporarily_unavailable (never a 500), afterwards
 * the system serves again and every token it acknowledged is still active.
 */

let cluster: OwnRedisCluster;
let e2e: E2eSystem;
/** A client_credentials client of the first test, issued tokens by the last. */
let machineClient: string;
/** The code flow's access token (customer psu-bruno), withdrawn by an operator. */
let customerToken: string;
const agents: Agent[] = [];
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

beforeAll(async () => {
  cluster = await ownRedisCluster({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  e2e = await startE2e({
    label: 'e2e-redis-cluster',
    redisCluster: cluster.nodes,
    // A limit this file reaches: the registration counter is one of the cluster's keys.
    env: { registration: { REGISTRATION_RATE_LIMIT: '4' } },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.close()));
  await e2e?.stop();
  await cluster?.stop();
});

const register = (metadata: Record<string, unknown>) =>
  e2e.call('tpp-a', '/oauth2/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token_endpoint_auth_method: 'tls_client_auth', ...metadata }),
  });
const registered = (result: CallResult) => {
  expect(result.status).toBe(201);
  return result.json<{ client_id: string; registration_access_token: string }>();
};
const issue = (clientId: string) =>
  e2e.call('tpp-a', '/oauth2/token', {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      scope: 'pisp',
    }).toString(),
  });
const introspect = (token: string) =>
  e2e.callInternal('psp-as', '/oauth2/introspect', {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({ token }).toString(),
  });
const accessTokenOf = (result: CallResult) => result.json<{ access_token: string }>().access_token;
const activeOf = async (token: string) => (await introspect(token)).json<{ active: boolean }>().active;

function codeFlowParties(): CodeFlowParties {
  const ca = readFileSync(e2e.system.pki.ca.cert);
  const agentFor = (qwac: 'tpp-a' | 'psp-as' | undefined) => {
    const files = qwac === undefined ? undefined : e2e.system.pki.qwacs[qwac];
    const agent = new Agent({
      connect: { ca, ...(files ? { cert: readFileSync(files.cert), key: readFileSync(files.key) } : {}) },
    });
    agents.push(agent);
    return agent;
  };
  return {
    origin: e2e.system.edgeUrl,
    introspectionOrigin: e2e.system.internalEdgeUrl,
    browser: agentFor(undefined),
    tpp: agentFor('tpp-a'),
    bank: agentFor('psp-as'),
  };
}

describe('the whole system on a Redis Cluster', () => {
  it('keeps codes, grants, tokens, sessions, rate limits, markers and the customer index on the cluster', async () => {
    const browserClient = registered(
      await register({
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'aisp',
      }),
    ).client_id;
    // Session page, consent, code exchange and introspection, through the edge.
    const flow = await runCodeFlow(codeFlowParties(), {
      clientId: browserClient,
      redirectUri: REDIRECT_URI,
      scope: 'aisp',
      psuId: 'psu-bruno',
      browserAddress: documentationAddress(1),
    });
    expect(flow.refreshToken).toBeDefined();
    customerToken = flow.accessToken;
    // A PSU who opened the page and has not answered yet: the flow's own session ended with its consent.
    const page = await e2e.call(
      undefined,
      `/oauth2/fr/sandbox/signin.html?${new URLSearchParams({
        response_type: 'code',
        client_id: browserClient,
        redirect_uri: REDIRECT_URI,
        scope: 'aisp',
        state: 'pending',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })}`,
    );
    expect(page.status).toBe(200);

    const machine = registered(await register({ grant_types: ['client_credentials'], scope: 'pisp' }));
    machineClient = machine.client_id;
    const revoked = accessTokenOf(await issue(machine.client_id));
    const kept = accessTokenOf(await issue(machine.client_id));
    expect(await activeOf(revoked)).toBe(true);
    const revocation = await e2e.call('tpp-a', '/oauth2/revoke', {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({ token: revoked, client_id: machine.client_id }).toString(),
    });
    expect(revocation.status).toBe(200);
    expect(await activeOf(revoked)).toBe(false);
    expect(await activeOf(kept)).toBe(true);

    const third = registered(await register({ grant_types: ['client_credentials'], scope: 'pisp' }));

    // RFC 7592 deletion leaves the client's marker: its tokens are inactive everywhere at once.
    const thirdToken = accessTokenOf(await issue(third.client_id));
    const deleted = await e2e.call('tpp-a', `/oauth2/register/${third.client_id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${third.registration_access_token}` },
    });
    expect(deleted.status).toBe(204);
    expect(await activeOf(thirdToken)).toBe(false);
    // Three registrations and a deletion: the organisation's last call within the window.
    const refused = await register({ grant_types: ['client_credentials'], scope: 'pisp' });
    expect(refused.status).toBe(429);

    const prefix = e2e.system.redisKeyPrefix;
    const kinds = await keyKindsOnCluster(cluster.nodes, prefix);
    // c: code, g: grant, a: access token, r: refresh token, s: customer's grant index, u: grant's last
    // use, x: client marker; the pages' sessions and the rate-limit counters (docs/token-store.md).
    for (const kind of ['c', 'g', 'a', 'r', 's', 'u', 'x', 'authz:session', 'rl:registration'])
      expect({ kind, present: (kinds[kind] ?? 0) > 0 }).toEqual({ kind, present: true });
    expect(Object.keys(kinds).filter((kind) => kind.startsWith('rl:authz-')).length).toBeGreaterThan(0);
    expect(await keyCountOn(e2e.system.redisUrl, prefix)).toBe(0);
  }, 30_000);

  it("lets an operator list and withdraw the customer's grant through the registry's admin API", async () => {
    // The registry's own token store client, on the same cluster: the index and the grant it deletes.
    const admin = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        [join(repoRoot, 'packages', 'admin-cli', 'dist', 'cli.js'), ...args],
        {
          env: { PATH: process.env.PATH ?? '', ...e2e.system.adminEnv },
          timeout: 20_000,
        },
      );
    const listed = JSON.parse((await admin('list-grants', '--psu', 'psu-bruno', '--json')).stdout) as {
      grants: { grantId: string }[];
    };
    expect(listed.grants).toHaveLength(1);
    expect(await activeOf(customerToken)).toBe(true);
    await admin('withdraw-grant', listed.grants[0]?.grantId ?? '', '--reason', 'customer called the bank');
    expect(await activeOf(customerToken)).toBe(false);
  }, 30_000);

  it("keeps the bank's payment requests (payment-consent over gRPC) on the cluster", async () => {
    const pisp = await e2e.register('psp-pi', { redirect_uris: [REDIRECT_URI], scope: 'pisp' });
    const paymentApi = connectPaymentConsentApi(e2e.system.paymentConsentAddress);
    try {
      await paymentApi.register({
        clientId: pisp.clientMetadata().client_id,
        resourceId: 'pmt-on-the-cluster',
        kind: PaymentKind.PAYMENT_KIND_INITIATE,
        details: {
          instructedAmount: { currency: 'EUR', amount: '12.00' },
          creditorName: 'Merchant A',
          creditorIban: 'DE02100100109307118603',
          remittanceInformation: 'cluster',
        },
        language: 0,
      });
    } finally {
      paymentApi.close();
    }
    expect((await keyKindsOnCluster(cluster.nodes, e2e.system.redisKeyPrefix)).p).toBe(1);
  }, 30_000);

  it('answers 503 temporarily_unavailable while a master is down, then serves every acknowledged token again', async () => {
    // Tokens acknowledged before the crash: their keys spread over the three masters.
    const acknowledged: string[] = [];
    for (let index = 0; index < 12; index += 1) acknowledged.push(accessTokenOf(await issue(machineClient)));
    const [first] = acknowledged;
    if (first === undefined) throw new Error('no token issued');
    const victim = await masterPortOf(
      cluster.nodes[0] ?? { host: '127.0.0.1', port: 0 },
      `${e2e.system.redisKeyPrefix}a:${hashSecret(first)}`,
    );
    const statuses: number[] = [];
    const refusals: unknown[] = [];
    let phase: 'before' | 'down' | 'back' = 'before';
    const served = { before: 0, down: 0, back: 0 };
    let running = true;
    const loop = (async () => {
      while (running) {
        for (const result of await Promise.all([issue(machineClient), introspect(first)])) {
          statuses.push(result.status);
          if (result.status === 503) refusals.push(result.json().error);
          if (result.status === 200) served[phase] += 1;
          if (result.status === 200 && 'access_token' in result.json())
            acknowledged.push(accessTokenOf(result));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 500));
    await cluster.stopNode(victim);
    phase = 'down';
    // The token's own master is gone: its introspection cannot be answered, so it is refused.
    const during = await introspect(first);
    expect({ status: during.status, error: during.json().error }).toEqual({
      status: 503,
      error: 'temporarily_unavailable',
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await cluster.startNode(victim);
    const restarted = Date.now();
    while (!(await introspect(first).then((result) => result.status === 200))) {
      expect(Date.now() - restarted).toBeLessThan(15_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    phase = 'back';
    await new Promise((resolve) => setTimeout(resolve, 1000));
    running = false;
    await loop;

    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(refusals.length).toBeGreaterThan(0);
    expect(new Set(refusals)).toEqual(new Set(['temporarily_unavailable']));
    expect(served.before).toBeGreaterThan(0);
    expect(served.back).toBeGreaterThan(0);
    const inactive: string[] = [];
    for (const token of acknowledged) if (!(await activeOf(token))) inactive.push(token);
    expect({ acknowledged: acknowledged.length, inactive }).toEqual({
      acknowledged: acknowledged.length,
      inactive: [],
    });
  }, 45_000);
});

itMatchedTheDocument(() => e2e);
