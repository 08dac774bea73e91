import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoPki } from '@psd2/test-pki';
import type { LocalEdge } from './edge.js';
import { startLocalEdge } from './edge.js';
import { callEdge, edgeOptions, stop, useTestPki } from './edge.test-support.js';

/*
 * The edge calls the services over TLS with its own client certificate (UPSTREAM_TLS_*), verifying
 * theirs against the internal CA (UPSTREAM_CA_FILE); a TLS failure is answered like an unreachable
 * service, 503 in JSON.
 */

const testPki = useTestPki();
const servers: https.Server[] = [];
const edges: LocalEdge[] = [];

/** A service that requires a client certificate from `clientCa` and says whose it got. */
async function tlsService(serverPair: { cert: string; key: string }, clientCa: string): Promise<URL> {
  const server = https.createServer(
    {
      cert: readFileSync(serverPair.cert),
      key: readFileSync(serverPair.key),
      ca: readFileSync(clientCa),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerX509Certificate();
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ peer: peer?.subjectAltName }));
    },
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

async function edgeTo(pki: DemoPki, url: URL): Promise<LocalEdge> {
  const edge = await startLocalEdge(
    edgeOptions(
      pki,
      { registration: url, authorization: url, token: url, revocation: url },
      {
        upstreamTls: {
          certFile: pki.internal.edge.cert,
          keyFile: pki.internal.edge.key,
          caFile: pki.internal.ca.cert,
        },
      },
    ),
  );
  edges.push(edge);
  return edge;
}

let pki: DemoPki;
beforeAll(() => {
  pki = testPki.pki;
});

afterAll(async () => {
  await Promise.all(edges.map((edge) => edge.close()));
  await Promise.all(servers.map((server) => stop(server)));
});

describe('local edge: TLS to the services', () => {
  it("presents the edge's client certificate and verifies the service's", async () => {
    const url = await tlsService(pki.internal.services.token, pki.internal.ca.cert);
    const reply = await callEdge(await edgeTo(pki, url), pki, '/oauth2/token', { qwac: 'tpp-a' });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({ peer: 'DNS:psd2-edge' });
  });

  it('answers 503 in JSON when the service certificate is not from the internal CA', async () => {
    // The edge's public server certificate, from the QTSP test CA: TLS to it fails verification.
    const url = await tlsService(pki.server, pki.internal.ca.cert);
    const reply = await callEdge(await edgeTo(pki, url), pki, '/oauth2/token', { qwac: 'tpp-a' });
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.text)).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it("answers 503 in JSON when the service refuses the edge's certificate", async () => {
    const url = await tlsService(pki.internal.services.token, pki.operators.ca.cert);
    const reply = await callEdge(await edgeTo(pki, url), pki, '/oauth2/token', { qwac: 'tpp-a' });
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.text)).toMatchObject({ error: 'temporarily_unavailable' });
  });
});
