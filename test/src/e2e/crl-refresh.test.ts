import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type CertificateFiles,
  issueCrl,
  loadCertificateAuthority,
  type RevocationScenario,
  writeRevocationScenario,
} from '@psd2/test-pki';
import { type RunningSystem, repoRoot, startSystem, testPki } from '@psd2/testing';
import { Agent, fetch } from 'undici';

/*
 * Issue 18: `pnpm trust refresh-crls` (the built command, as the CronJob runs it) fetches the demo
 * CA's new CRL from its distribution point and rewrites the local edge's EDGE_CLIENT_CRL_FILE; the
 * edge, which admitted the QWAC before, refuses it once the job has run.
 */

let system: RunningSystem;
let scenario: RevocationScenario;
let dir: string;
let crlFile: string;
let pointsFile: string;
let distributionPoint: Server;
const agents: Agent[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'e2e-crl-refresh-'));
  const pki = await testPki();
  scenario = await writeRevocationScenario(pki, dir);
  // In force at start: the CA's CRL of an hour ago, which revokes nothing.
  crlFile = join(dir, 'edge-crl.pem');
  const ca = await loadCertificateAuthority(pki.ca);
  await writeFile(crlFile, await issueCrl(ca, { thisUpdate: new Date(Date.now() - 3600_000) }));
  // The QTSP then publishes the CRL revoking the QWAC.
  const published = await readFile(scenario.crl);
  distributionPoint = createServer((_request, response) => response.end(published));
  await new Promise<void>((resolve) => distributionPoint.listen(0, '127.0.0.1', resolve));
  const { port } = distributionPoint.address() as AddressInfo;
  // The CA by its subject, as the command prints it (C=…, O=…, CN=…).
  const subject = new X509Certificate(readFileSync(pki.ca.cert)).subject.split('\n').join(', ');
  pointsFile = join(dir, 'distribution-points.json');
  await writeFile(pointsFile, JSON.stringify({ [subject]: [`http://127.0.0.1:${port}/ca.crl`] }));
  system = await startSystem({
    label: 'e2e-crl-refresh',
    env: { 'local-edge': { EDGE_CLIENT_CRL_FILE: crlFile } },
  });
}, 60_000);

afterAll(async () => {
  await system?.stop();
  await Promise.all(agents.map((agent) => agent.close()));
  await new Promise((resolve) => distributionPoint?.close(resolve));
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

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

describe('the CRL refresh job and the edge', () => {
  it('makes the edge refuse a QWAC revoked since the last refresh, and only that one', async () => {
    // 401 invalid_client: the edge let it through to the token service.
    expect(await tokenRequest(scenario.revoked)).toBe(401);

    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(repoRoot, 'packages', 'trust', 'dist', 'cli.js'),
        'refresh-crls',
        '--ca-file',
        system.pki.ca.cert,
        '--out',
        crlFile,
        '--distribution-points',
        pointsFile,
      ],
      { env: { PATH: process.env.PATH ?? '' } },
    );
    expect(stdout).toMatch(/^refreshed +ca="PSD2 Test QTSP CA"/);
    expect(stdout).toContain(`written=${crlFile}`);

    // The local edge polls the file every second.
    const deadline = Date.now() + 10_000;
    let revoked = await tokenRequest(scenario.revoked);
    while (revoked === 401 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      revoked = await tokenRequest(scenario.revoked);
    }
    expect(revoked).toMatch(/ECONNRESET|EPIPE|socket|closed|UND_ERR/);
    expect(await tokenRequest(scenario.reissued)).toBe(401);
  });
});
