import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseXfcc } from '@psd2/certificates';
import { type ChainedQwac, type DemoPki, issueQwacWithChain, writeDemoPki } from '@psd2/test-pki';
import { type LocalEdge, startLocalEdge } from './edge.js';

/*
 * What the local edge forwards about a client certificate that came with a long chain: Hash, Cert and
 * Subject, as envoy.yaml. Real TLS, in front of a server that echoes the header it received.
 */

const INTERMEDIATES = 12;
let dir: string;
let pki: DemoPki;
let chained: ChainedQwac;
let echo: http.Server;
let edge: LocalEdge;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forwarded-client-cert-'));
  pki = await writeDemoPki(dir);
  chained = await issueQwacWithChain(INTERMEDIATES, {
    organizationName: 'Long Chain TPP',
    roles: ['PSP_AI'],
    dnsNames: ['tpp.example'],
  });
  const bundle = join(dir, 'long-chain-ca.crt');
  await writeFile(bundle, (await readFile(pki.ca.cert, 'utf8')) + chained.root.certificatePem);
  echo = http.createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(String(request.headers['x-forwarded-client-cert']));
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(echo.address() as AddressInfo).port}`);
  edge = await startLocalEdge({
    host: '127.0.0.1',
    port: 0,
    tls: { certFile: pki.server.cert, keyFile: pki.server.key, clientCaFile: bundle },
    upstreams: { registration: url, authorization: url, token: url, revocation: url },
  });
});

afterAll(async () => {
  await edge?.close();
  echo?.closeAllConnections();
  await new Promise<void>((resolve) => echo?.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

/** The XFCC header the service received for one request presenting the whole chain. */
async function forwardedHeader(): Promise<string> {
  const ca = await readFile(pki.ca.cert);
  return new Promise((resolve, reject) => {
    const request = https.request(
      `${edge.url}/oauth2/register`,
      {
        method: 'POST',
        ca,
        servername: 'localhost',
        cert: chained.chainPem,
        key: chained.qwac.privateKeyPem,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          response.statusCode === 200
            ? resolve(Buffer.concat(chunks).toString('utf8'))
            : reject(new Error(`status ${response.statusCode}`)),
        );
      },
    );
    request.on('error', reject);
    request.end('{}');
  });
}

describe('the local edge and a QWAC issued under a long chain', () => {
  it('forwards Hash, Cert and Subject only: the header is the size of one certificate', async () => {
    const header = await forwardedHeader();
    const [element, ...others] = parseXfcc(header);
    expect(others).toEqual([]);
    expect(element).toEqual({
      by: [],
      hash: createHash('sha256').update(chained.qwac.der).digest('hex'),
      cert: chained.qwac.certificatePem,
      chain: undefined,
      subject: 'CN=Long Chain TPP QWAC,organizationIdentifier=PSDFR-ACPR-12345,O=Long Chain TPP,C=FR',
      uri: [],
      dns: [],
    });
    // With the chain, each of the intermediates would add about as much as the certificate itself.
    expect(header.length).toBeLessThan(2 * chained.qwac.der.length + 512);
  });
});
