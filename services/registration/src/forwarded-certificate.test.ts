import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EDGE_LIMITS } from '@psd2/edge-config';
import { type ChainedQwac, issueQwacWithChain } from '@psd2/test-pki';
import { type RunningSystem, startSystem, testPki } from '@psd2/testing';
import { aispMetadata, JSON_HEADERS, requestWithCertificate } from './test-support.js';

/*
 * What the edge forwards about a client certificate must fit the services' header limit whatever the
 * TPP's QTSP chain and whatever headers the edge itself accepted: through the local edge, with real TLS.
 */

// Enough that the chain alone, URL-encoded in the XFCC, would pass Node's default 16 KiB header limit.
const INTERMEDIATES = 24;
let system: RunningSystem;
let chained: ChainedQwac;
let dir: string;

beforeAll(async () => {
  const pki = await testPki();
  chained = await issueQwacWithChain(INTERMEDIATES, {
    organizationName: 'Long Chain TPP',
    roles: ['PSP_AI'],
  });
  // The edge trusts the test PKI's CA and this chain's root; the services see only what it forwards.
  dir = await mkdtemp(join(tmpdir(), 'long-chain-'));
  const bundle = join(dir, 'client-ca.crt');
  await writeFile(bundle, (await readFile(pki.clientCaBundle, 'utf8')) + chained.root.certificatePem);
  system = await startSystem({
    label: 'forwarded-certificate',
    env: { 'local-edge': { EDGE_CLIENT_CA_FILE: bundle } },
  });
}, 60_000);

afterAll(async () => {
  await system?.stop();
  await rm(dir, { recursive: true, force: true });
});

const registerWithChain = (headers: Record<string, string> = {}) =>
  requestWithCertificate(system, { ...chained.qwac, certificatePem: chained.chainPem }, '/oauth2/register', {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify(aispMetadata()),
  });

describe('a QWAC issued under a long chain', () => {
  it(`registers through the edge (${INTERMEDIATES} intermediates)`, async () => {
    const response = await registerWithChain();
    expect(response.status).toBe(201);
    expect(response.json()).toMatchObject({ scope: 'aisp', token_endpoint_auth_method: 'tls_client_auth' });
  });

  it('registers with request headers as large as the edge accepts: the service never answers 431', async () => {
    // The edge's whole header section is at most maxRequestHeadersKb; leave 1 KiB for the request line
    // and the ordinary headers. The service then receives that plus the XFCC and the edge's own headers.
    const padding = 'p'.repeat(EDGE_LIMITS.maxRequestHeadersKb * 1024 - 1024);
    const response = await registerWithChain({ 'x-tpp-padding': padding });
    expect(response.status).toBe(201);
  });
});
