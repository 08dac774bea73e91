import { readFileSync } from 'node:fs';
import type { DemoPki, InternalService } from '@psd2/test-pki';
import { Agent, fetch as undiciFetch } from 'undici';
import { toResult } from './http.js';
import type { HttpResult } from './system.js';

/*
 * A service's PORT answers only the edge's client certificate (docs/edge-to-service.md). These are the
 * test PKI's files for running a service, and for a test to call one directly as the edge would.
 */

/** TLS_CERT_FILE, TLS_KEY_FILE and EDGE_PEER_CA_FILE of one HTTP service, from the test PKI. */
export function serviceTlsEnv(
  pki: Pick<DemoPki, 'internal'>,
  service: InternalService,
): Record<string, string> {
  return {
    TLS_CERT_FILE: pki.internal.services[service].cert,
    TLS_KEY_FILE: pki.internal.services[service].key,
    EDGE_PEER_CA_FILE: pki.internal.ca.cert,
  };
}

/**
 * The TLS options of a connection to a service (trusting the internal CA) presenting `presenting`:
 * the edge's pair (pki.internal.edge), another, or none (undefined).
 */
export function tlsToService(
  pki: Pick<DemoPki, 'internal'>,
  presenting: { readonly cert: string; readonly key: string } | undefined,
): { ca: Buffer; cert?: Buffer; key?: Buffer } {
  return {
    ca: readFileSync(pki.internal.ca.cert),
    ...(presenting === undefined
      ? {}
      : { cert: readFileSync(presenting.cert), key: readFileSync(presenting.key) }),
  };
}

/** An undici dispatcher that calls services directly with the edge's client certificate. */
export function edgeAgent(pki: Pick<DemoPki, 'internal'>): Agent {
  return new Agent({ connect: tlsToService(pki, pki.internal.edge) });
}

/**
 * Requests straight to a service as the edge makes them (its client certificate): what a test of a
 * service's own checks uses, e.g. with an x-forwarded-client-cert header of its choosing.
 */
export function fetchAsTheEdge(
  pki: Pick<DemoPki, 'internal'>,
): (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<HttpResult> {
  const dispatcher = edgeAgent(pki);
  return async (url, init = {}) =>
    toResult(await undiciFetch(url, { ...init, dispatcher, redirect: 'manual' }));
}
