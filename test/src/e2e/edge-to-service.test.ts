import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClientRegistry } from '@psd2/client-registry-client';
import { registerTestClient } from '@psd2/oauth-test-fixtures';
import {
  describeFailure,
  failureOf,
  fetchAsTheEdge,
  type RunningSystem,
  startSystem,
  tlsToService,
} from '@psd2/testing';
import { Agent, fetch as undiciFetch } from 'undici';

/*
 * Only the edge may speak for a TPP (docs/edge-to-service.md): a service's port answers the edge's
 * client certificate alone, so someone who reaches it directly cannot name a TPP in
 * x-forwarded-client-cert; the probes have a plain-HTTP port of their own that serves nothing else.
 */

let system: RunningSystem;
let clientId: string;
const agents: Agent[] = [];

/** A TLS connection to a service that refuses this certificate ends before any answer. */
const REFUSED = /ECONNRESET|EPIPE|UND_ERR_SOCKET|other side closed|alert|certificate required/i;

beforeAll(async () => {
  system = await startSystem({ label: 'edge-to-service' });
  const registry = createClientRegistry({ address: system.registryAddress, transport: { plaintext: true } });
  const pisp = await registerTestClient(registry, system.pki, 'psp-pi', {
    scope: 'pisp',
    grantTypes: ['client_credentials'],
  });
  registry.close();
  clientId = pisp.clientId;
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.close()));
  await system?.stop();
});

const tokenRequest = (extraHeaders: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...extraHeaders },
  body: new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    scope: 'pisp',
  }).toString(),
});

/** An XFCC element naming a demo QWAC, as the edge writes it. */
const xfccOf = (qwac: 'psp-pi' | 'tpp-b') =>
  `Hash=00;Cert="${encodeURIComponent(readFileSync(system.pki.qwacs[qwac].cert, 'utf8'))}";Subject=""`;

describe('the token port, reached without the edge', () => {
  it('gives the TPP its token through the edge', async () => {
    const result = await system.client('psp-pi')('/oauth2/token', tokenRequest());
    expect(result.status).toBe(200);
    expect(result.json()).toMatchObject({ token_type: 'Bearer', scope: 'pisp' });
  });

  it('gives no token to a forged XFCC, whatever certificate the caller presents', async () => {
    const { internal, qwacs } = system.pki;
    const presenting = {
      'no certificate': undefined,
      "the TPP's own QWAC": qwacs['psp-pi'],
      'an internal certificate that is not the edge': internal.notEdge,
      "another service's server certificate": internal.services.registration,
    };
    for (const [name, pair] of Object.entries(presenting)) {
      const agent = new Agent({ connect: tlsToService(system.pki, pair) });
      agents.push(agent);
      const request = { ...tokenRequest({ 'x-forwarded-client-cert': xfccOf('psp-pi') }), dispatcher: agent };
      const failure = await failureOf(undiciFetch(`${system.serviceUrl('token')}/oauth2/token`, request));
      expect([name, describeFailure(failure)]).toEqual([name, expect.stringMatching(REFUSED)]);
    }
  });

  it("reads the edge's element, the first, when a mesh sidecar appended its own", async () => {
    const mesh =
      'By=spiffe://cluster.local/ns/psd2/sa/token;Hash=00;URI=spiffe://cluster.local/ns/psd2/sa/edge';
    const asEdge = fetchAsTheEdge(system.pki);
    const url = `${system.serviceUrl('token')}/oauth2/token`;
    const withHeader = (xfcc: string) => asEdge(url, tokenRequest({ 'x-forwarded-client-cert': xfcc }));
    expect((await withHeader(`${xfccOf('psp-pi')},${mesh}`)).status).toBe(200);
    // tpp-b's certificate first: the client is psp-pi's, so the edge's element decides, not a later one.
    const other = await withHeader(`${xfccOf('tpp-b')},${xfccOf('psp-pi')}`);
    expect([other.status, other.json().error]).toEqual([401, 'invalid_client']);
  });
});

describe("a service's health port", () => {
  it('serves the probes in plain HTTP and nothing else', async () => {
    const base = system.serviceHealthUrl('token');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const token = await fetch(
      `${base}/oauth2/token`,
      tokenRequest({ 'x-forwarded-client-cert': xfccOf('psp-pi') }),
    );
    expect(token.status).toBe(404);
    expect((await fetch(`${base}/.well-known/oauth-authorization-server`)).status).toBe(404);
  });
});
