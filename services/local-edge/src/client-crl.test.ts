import { copyFile, readFile, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from '@psd2/config';
import { createLogger } from '@psd2/logging';
import {
  type CertificateFiles,
  createCertificateAuthority,
  issueCrl,
  loadCertificateAuthority,
  type RevocationScenario,
  writeRevocationScenario,
} from '@psd2/test-pki';
import { type LocalEdge, startLocalEdge } from './edge.js';
import {
  CERTIFICATE_REFUSED,
  callEdge,
  closedUrl,
  edgeOptions,
  failureText,
  listening,
  stop,
  useTestPki,
} from './edge.test-support.js';
import { localEdgeSchema } from './settings.js';

/*
 * EDGE_CLIENT_CRL_FILE: the edge in front of two services, trusting the demo CA (with a CRL revoking one
 * QWAC) and a second CA that has no CRL in the file. The CRL file is replaced while the edge runs.
 */

const files = useTestPki();
const POLL_MS = 50;
const upstream = http.createServer((_request, response) => response.end('{}'));
const logLines: string[] = [];
let edge: LocalEdge;
let scenario: RevocationScenario;
let crlFile: string;

beforeAll(async () => {
  const { pki, dir } = files;
  scenario = await writeRevocationScenario(pki, join(dir, 'revocation'));
  crlFile = join(dir, 'client-crl.pem');
  await copyFile(scenario.crl, crlFile);
  const bundle = join(dir, 'two-cas.pem');
  await writeFile(
    bundle,
    (await readFile(pki.ca.cert, 'utf8')) + (await readFile(pki.untrustedCa.cert, 'utf8')),
  );
  const url = await listening(upstream);
  edge = await startLocalEdge({
    ...edgeOptions(pki, { registration: url, authorization: url, token: url, revocation: await closedUrl() }),
    tls: { certFile: pki.server.cert, keyFile: pki.server.key, clientCaFile: bundle, crlFile },
    crlPollIntervalMs: POLL_MS,
    logger: createLogger({
      name: 'local-edge',
      level: 'info',
      destination: { write: (line) => logLines.push(line) },
    }),
  });
});

afterAll(async () => {
  await edge?.close();
  await stop(upstream);
});

async function status(path: string, certificate: CertificateFiles | undefined): Promise<number> {
  return (
    await callEdge(edge, files.pki, path, {
      method: 'POST',
      body: '{}',
      ...(certificate ? { certificate } : {}),
    })
  ).status;
}

const tppA = () => files.pki.qwacs['tpp-a'];

/** Replaces the CRL file as Kubernetes and atomic writers do: a new file renamed over the old one. */
async function replaceCrl(contents: string): Promise<void> {
  const temporary = `${crlFile}.new`;
  await writeFile(temporary, contents);
  await rename(temporary, crlFile);
}

/** Polls until `check` holds; bounded, so a reload that never happens fails the test. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`not within 5 s: ${what}`);
}

/** Whether the edge closed the connection after the handshake (false when it answered). */
const refused = (path: string, certificate: CertificateFiles): Promise<boolean> =>
  status(path, certificate).then(
    () => false,
    (error: unknown) => CERTIFICATE_REFUSED.test(String((error as { code?: unknown }).code ?? error)),
  );

describe('local edge: client CRLs', () => {
  it.each(['/oauth2/token', '/oauth2/register'])(
    'refuses the revoked QWAC at the handshake on %s',
    async (path) => {
      expect(await failureText(status(path, scenario.revoked))).toMatch(CERTIFICATE_REFUSED);
      expect(logLines.some((line) => line.includes('CERT_REVOKED'))).toBe(true);
    },
  );

  it('lets the reissued QWAC of the same organisation and the CA’s other clients in', async () => {
    expect(await status('/oauth2/token', scenario.reissued)).toBe(200);
    expect(await status('/oauth2/register', scenario.reissued)).toBe(200);
    expect(await status('/oauth2/token', tppA())).toBe(200);
    // A PSU's browser presents no certificate: CRLs do not concern it.
    expect(await status('/oauth2/token', undefined)).toBe(200);
  });

  it('refuses every client of a trusted CA that has no CRL in the file (OpenSSL CRL_CHECK_ALL fails closed)', async () => {
    expect(await failureText(status('/oauth2/token', files.pki.qwacs.untrusted))).toMatch(
      CERTIFICATE_REFUSED,
    );
    expect(logLines.some((line) => line.includes('UNABLE_TO_GET_CRL'))).toBe(true);
  });

  it('keeps the CRLs in force when the file is replaced by a broken one, and logs why', async () => {
    await replaceCrl('-----BEGIN X509 CRL-----\nbroken\n-----END X509 CRL-----\n');
    await eventually(
      async () => logLines.some((line) => line.includes('client CRL reload failed')),
      'the failed reload is logged',
    );
    expect(await refused('/oauth2/token', scenario.revoked)).toBe(true);
    expect(await status('/oauth2/token', scenario.reissued)).toBe(200);
  });

  it('refuses the CA’s clients under a CRL not signed by that CA (OpenSSL checks the CRL signature)', async () => {
    const ca = await loadCertificateAuthority(files.pki.ca);
    const impostor = await createCertificateAuthority();
    await replaceCrl(await issueCrl(ca, { signingKey: impostor.keys.privateKey }));
    await eventually(() => refused('/oauth2/token', scenario.reissued), 'the forged CRL applies');
    expect(await refused('/oauth2/token', tppA())).toBe(true);
    expect(logLines.some((line) => line.includes('CRL_SIGNATURE_FAILURE'))).toBe(true);
  });

  it('refuses the CA’s clients once its CRL is past nextUpdate', async () => {
    const ca = await loadCertificateAuthority(files.pki.ca);
    const hour = 60 * 60 * 1000;
    await replaceCrl(
      await issueCrl(ca, {
        thisUpdate: new Date(Date.now() - 2 * hour),
        nextUpdate: new Date(Date.now() - hour),
      }),
    );
    // Refused already under the forged CRL: the reason in the log tells which CRL is in force.
    await eventually(async () => {
      expect(await refused('/oauth2/token', tppA())).toBe(true);
      return logLines.some((line) => line.includes('CRL_HAS_EXPIRED'));
    }, 'the stale CRL applies');
  });

  it('lets the old QWAC in again once a new CRL no longer lists it', async () => {
    await replaceCrl(await readFile(scenario.emptyCrl, 'utf8'));
    await eventually(
      async () => (await status('/oauth2/token', scenario.revoked).catch(() => 0)) === 200,
      'reload',
    );
    expect(await status('/oauth2/register', scenario.revoked)).toBe(200);
    expect(await status('/oauth2/token', tppA())).toBe(200);
  });
});

describe('EDGE_CLIENT_CRL_FILE at start-up', () => {
  const issuesFor = (path: string) => {
    try {
      parseConfig(localEdgeSchema, { EDGE_CLIENT_CRL_FILE: path });
    } catch (error) {
      if (error instanceof ConfigError) return error.issues;
      throw error;
    }
    return [];
  };

  it('names the variable for a broken, an empty or a missing file', async () => {
    const broken = join(files.dir, 'broken-crl.pem');
    await writeFile(broken, '-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n');
    const notCrl = join(files.dir, 'not-a-crl.pem');
    await writeFile(notCrl, await readFile(files.pki.ca.cert));
    for (const [path, reason] of [
      [broken, 'does not parse'],
      [notCrl, 'holds no PEM CRL'],
      [join(files.dir, 'missing.pem'), 'cannot be read (ENOENT)'],
    ] as const) {
      const issues = issuesFor(path);
      expect(issues).toHaveLength(1);
      expect(issues[0]?.variable).toBe('EDGE_CLIENT_CRL_FILE');
      expect(issues[0]?.message).toContain(reason);
    }
  });

  it('accepts several concatenated CRLs, and no variable at all', async () => {
    const two = join(files.dir, 'two-crls.pem');
    await writeFile(
      two,
      (await readFile(scenario.crl, 'utf8')) + (await readFile(scenario.emptyCrl, 'utf8')),
    );
    expect(issuesFor(two)).toEqual([]);
    expect(parseConfig(localEdgeSchema, {}).EDGE_CLIENT_CRL_FILE).toBeUndefined();
  });
});
