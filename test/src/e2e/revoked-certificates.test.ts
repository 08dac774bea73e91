import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CertificateFiles, type RevocationScenario, writeRevocationScenario } from '@psd2/test-pki';
import { type RunningSystem, startSystem, testPki } from '@psd2/testing';
import { Agent, fetch } from 'undici';

/*
 * Issue 18: the local edge started with EDGE_CLIENT_CRL_FILE, as `pnpm start` would be. A QWAC the demo
 * CA revoked fails at every mTLS endpoint; its reissue (same organisation, new serial) reaches the
 * services. Reload and the OpenSSL details are covered by services/local-edge/src/client-crl.test.ts.
 */

let system: RunningSystem;
let scenario: RevocationScenario;
let dir: string;
const agents: Agent[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'e2e-revoked-'));
  scenario = await writeRevocationScenario(await testPki(), dir);
  system = await startSystem({
    label: 'e2e-revoked',
    env: { 'local-edge': { EDGE_CLIENT_CRL_FILE: scenario.crl } },
  });
}, 60_000);

afterAll(async () => {
  await system?.stop();
  await Promise.all(agents.map((agent) => agent.close()));
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** A client-credentials token request presenting `certificate`; the status, or the connection failure. */
async function tokenRequest(certificate: CertificateFiles): Promise<number | string> {
  const agent = new Agent({
    connect: {
      ca: readFileSync(system.pki.ca.cert),
      cert: readFileSync(certificate.cert),
      key: readFileSync(certificate.key),
    },
  });
  agents.push(agent);
  try {
    const response = await fetch(`${system.edgeUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=not-registered&scope=aisp',
      dispatcher: agent,
    });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? String(error);
  }
}

describe('revoked QWACs at the edge (EDGE_CLIENT_CRL_FILE)', () => {
  it('refuses the revoked QWAC before any service sees the request', async () => {
    expect(await tokenRequest(scenario.revoked)).toMatch(/ECONNRESET|EPIPE|socket|closed|UND_ERR/);
  });

  it('lets the reissued QWAC and the CA’s other clients reach the token service', async () => {
    // 401 invalid_client: the token service answered (the client is not registered), the edge let it in.
    expect(await tokenRequest(scenario.reissued)).toBe(401);
    expect(await tokenRequest(system.pki.qwacs['tpp-a'])).toBe(401);
  });
});
