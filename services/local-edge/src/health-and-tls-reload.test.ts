import { copyFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoQwacName } from '@psd2/test-pki';
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
import type { TlsFiles } from './server-tls.js';

/* An edge with a health port, and TLS files of its own that the test replaces while it runs. */

const files = useTestPki();
let rotating: LocalEdge;
let tls: TlsFiles;
const token = http.createServer((_request, response) => response.end('{}'));

beforeAll(async () => {
  const { pki, dir } = files;
  tls = {
    certFile: join(dir, 'rotating-server.crt'),
    keyFile: join(dir, 'rotating-server.key'),
    clientCaFile: join(dir, 'rotating-client-ca.pem'),
  };
  await copyFile(pki.server.cert, tls.certFile);
  await copyFile(pki.server.key, tls.keyFile);
  await copyFile(pki.clientCaBundle, tls.clientCaFile);
  const down = await closedUrl();
  rotating = await startLocalEdge({
    ...edgeOptions(pki, {
      registration: down,
      authorization: down,
      token: await listening(token),
      revocation: down,
    }),
    healthPort: 0,
    internalPort: 0,
    tls,
  });
});

afterAll(async () => {
  await rotating?.close();
  await stop(token);
});

async function through(qwac: DemoQwacName): Promise<number> {
  return (await callEdge(rotating, files.pki, '/oauth2/token', { qwac })).status;
}

/** The same client on the internal listener (any answer will do: its handshake is what counts). */
async function throughInternal(qwac: DemoQwacName): Promise<number> {
  const internal = { ...rotating, url: rotating.internalUrl ?? '' };
  return (await callEdge(internal, files.pki, '/oauth2/introspect', { qwac, method: 'POST' })).status;
}

describe('local edge: readiness and CA bundle rotation', () => {
  it('answers GET /ready on its plain-HTTP health port, and 404 in JSON elsewhere', async () => {
    const response = await fetch(rotating.healthUrl ?? '', { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    const elsewhere = await fetch(new URL('/elsewhere', rotating.healthUrl), {
      signal: AbortSignal.timeout(5000),
    });
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('applies a replaced CA bundle on reloadTls to both listeners, without a restart', async () => {
    expect(await through('tpp-a')).toBe(200);
    expect(await failureText(through('untrusted'))).toMatch(CERTIFICATE_REFUSED);
    // The bank now trusts only the other QTSP.
    await copyFile(files.pki.untrustedCa.cert, tls.clientCaFile);
    await rotating.reloadTls();
    expect(await failureText(through('tpp-a'))).toMatch(CERTIFICATE_REFUSED);
    expect(await through('untrusted')).toBe(200);
    // The internal listener follows the same files.
    expect(await failureText(throughInternal('tpp-a'))).toMatch(CERTIFICATE_REFUSED);
    expect(await throughInternal('untrusted')).toBe(200);
  });
});
