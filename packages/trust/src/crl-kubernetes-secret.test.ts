import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createCertificateAuthority, issueServerCertificate } from '@psd2/test-pki';
import { inClusterSecretTarget, kubernetesSecretStore } from './crl-kubernetes-secret.js';
import { type RefreshCliDeps, runRefresh } from './crl-refresh-cli.js';
import {
  crlOf,
  DAY_MS,
  type DistributionPointServer,
  HOUR_MS,
  serve,
  startDistributionPoint,
  type TwoCas,
  twoCas,
} from './crl-test-support.js';

/*
 * The CronJob's mode: the qtsp-ca-bundle Secret read and patched through a stand-in for the
 * Kubernetes API (TLS with its own CA, bearer token), as the job does with its ServiceAccount.
 */

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string;
  readonly contentType: string;
  readonly body: string;
}

let cas: TwoCas;
let points: DistributionPointServer;
let api: Server;
let apiUrl: string;
let apiCaPem: string;
let seen: Seen[];
let secret: { resourceVersion: string; data: Record<string, string> };
let patchStatus: number;
let lines: string[];
let pointsFile: string;

const b64 = (text: string) => Buffer.from(text).toString('base64');

beforeAll(async () => {
  cas = await twoCas();
  points = await startDistributionPoint();
  const apiCa = await createCertificateAuthority({ commonName: 'Cluster CA' });
  apiCaPem = apiCa.certificatePem;
  const tls = await issueServerCertificate(apiCa, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  pointsFile = join(await mkdtemp(join(tmpdir(), 'crl-secret-')), 'points.json');
  await writeFile(pointsFile, JSON.stringify(cas.distributionPoints(points.base)));
  api = createServer({ cert: tls.certificatePem, key: tls.privateKeyPem }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        authorization: request.headers.authorization ?? '',
        contentType: request.headers['content-type'] ?? '',
        body: Buffer.concat(chunks).toString(),
      });
      const status = request.method === 'PATCH' ? patchStatus : 200;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          status === 200
            ? { metadata: { resourceVersion: secret.resourceVersion }, data: secret.data }
            : { kind: 'Status', message: 'the object has been modified', code: status },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `https://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await points.close();
  await new Promise((resolve) => api.close(resolve));
});

beforeEach(async () => {
  seen = [];
  lines = [];
  patchStatus = 200;
  secret = { resourceVersion: '41', data: { 'ca.crt': b64(cas.bundlePem) } };
  points.answers.set('/alpha.crl', serve(await crlOf(cas.alpha, HOUR_MS, DAY_MS)));
  points.answers.set('/beta.crl', serve(await crlOf(cas.beta, HOUR_MS, DAY_MS)));
});

function refresh(env: NodeJS.ProcessEnv = {}) {
  const deps: RefreshCliDeps = {
    fetch: globalThis.fetch,
    now: () => new Date(),
    out: (line) => lines.push(line),
    err: (line) => lines.push(line),
    secretStore: async (name) =>
      kubernetesSecretStore({ apiUrl, token: 'sa-token', caPem: apiCaPem, namespace: 'psd2-auth', name }),
  };
  return runRefresh(['--secret', 'qtsp-ca-bundle', '--distribution-points', pointsFile], env, deps);
}

describe('refresh-crls --secret', () => {
  it('reads ca.crt and crl.pem with one GET and patches crl.pem only, guarded by the resourceVersion read', async () => {
    expect(await refresh()).toBe(0);
    expect(seen.map((request) => [request.method, request.url])).toEqual([
      ['GET', '/api/v1/namespaces/psd2-auth/secrets/qtsp-ca-bundle'],
      ['PATCH', '/api/v1/namespaces/psd2-auth/secrets/qtsp-ca-bundle'],
    ]);
    expect(seen.every((request) => request.authorization === 'Bearer sa-token')).toBe(true);
    const patch = seen[1];
    expect(patch?.contentType).toBe('application/merge-patch+json');
    const body = JSON.parse(patch?.body ?? '{}') as { metadata: unknown; data: Record<string, string> };
    expect(body.metadata).toEqual({ resourceVersion: '41' });
    expect(Object.keys(body.data)).toEqual(['crl.pem']);
    const written = Buffer.from(body.data['crl.pem'] ?? '', 'base64').toString();
    expect(written.match(/BEGIN X509 CRL/g)).toHaveLength(2);
    expect(lines.at(-1)).toContain('written=secret psd2-auth/qtsp-ca-bundle (crl.pem)');

    // The next run finds the same CRLs in the Secret: no PATCH, so the edge pods see no change.
    secret = { resourceVersion: '42', data: { ...secret.data, 'crl.pem': b64(written) } };
    seen = [];
    expect(await refresh()).toBe(0);
    expect(seen.map((request) => request.method)).toEqual(['GET']);
  });

  it('exits 1 when the patch is refused (a concurrent change), naming the Secret and never the token', async () => {
    patchStatus = 409;
    expect(await refresh()).toBe(1);
    const error = lines.find((line) => line.includes('could not be written')) ?? '';
    expect(error).toContain('PATCH secret psd2-auth/qtsp-ca-bundle: HTTP 409 the object has been modified');
    expect(lines.join('\n')).not.toContain('sa-token');
  });

  it('refuses, before any PATCH, a bundle the 1 MiB Secret limit would refuse', async () => {
    secret = {
      resourceVersion: '41',
      data: { 'ca.crt': b64(cas.bundlePem), 'notes.txt': b64('x'.repeat(1024 * 1024)) },
    };
    expect(await refresh()).toBe(1);
    expect(seen.map((request) => request.method)).toEqual(['GET']);
    expect(lines.join('\n')).toMatch(
      /secret psd2-auth\/qtsp-ca-bundle \(crl.pem\) could not be written: would hold \d+ bytes, over the 1 MiB/,
    );
  });

  it('is a configuration error (exit 2) outside a pod', async () => {
    const deps: RefreshCliDeps = {
      fetch: globalThis.fetch,
      now: () => new Date(),
      out: (line) => lines.push(line),
      err: (line) => lines.push(line),
    };
    expect(await runRefresh(['--secret', 'qtsp-ca-bundle'], { KUBERNETES_SERVICE_HOST: '' }, deps)).toBe(2);
    expect(lines).toEqual([
      'refresh-crls: --secret qtsp-ca-bundle: --secret runs inside a pod only (KUBERNETES_SERVICE_HOST is not set)',
    ]);
  });
});

describe('inClusterSecretTarget', () => {
  it("reads the API server from the environment and the token, CA and namespace from the ServiceAccount's files", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crl-sa-'));
    await writeFile(join(dir, 'token'), 'sa-token\n');
    await writeFile(join(dir, 'ca.crt'), apiCaPem);
    await writeFile(join(dir, 'namespace'), 'psd2-auth');
    const env = { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' };
    expect(await inClusterSecretTarget('qtsp-ca-bundle', env, dir)).toEqual({
      apiUrl: 'https://[fd00::1]:6443',
      token: 'sa-token',
      caPem: apiCaPem,
      namespace: 'psd2-auth',
      name: 'qtsp-ca-bundle',
    });
  });
});
