import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { DemoPki, DemoQwacName } from '@psd2/test-pki';
import type { HttpServiceName, RunningSystem } from '@psd2/testing';
import { buildConnector, Client } from 'undici';
import type { WireRequest } from './request.js';

/*
 * How fuzz requests reach the system: keep-alive connections per client certificate, so that a TLS
 * handshake happens once per connection and not once per request (the certificate's connector keeps
 * TLS sessions for resumption). Requests go through the edge with real mTLS, or (for the
 * forwarded-certificate parser) straight to a service presenting the edge's own client certificate,
 * the only connection on which a service reads x-forwarded-client-cert.
 *
 * Why not undici's Agent/Pool: a request undici refuses to send (a header value with a control
 * character, a bad method) makes Pool.dispatch return false, and the Pool then marks that connection
 * as waiting for a 'drain' event the idle connection never emits. After as many refused requests as
 * the pool has connections, every later request waits in the Pool's queue forever, and an abort
 * signal does not settle a request that was never dispatched. That was the fuzz's intermittent hang
 * (transport.test.ts). Here each request has a connection of its own while it runs: one undici
 * Client, taken from an idle list and given back, so nothing is ever queued behind a connection.
 */

export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface Transport {
  send(
    certificate: DemoQwacName | undefined,
    request: WireRequest,
    direct?: HttpServiceName,
  ): Promise<WireResponse>;
  close(): Promise<void>;
}

/** Every answer takes well under a second: a request stalled for 10 s is reported as a failure. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** A request that has not settled this long after its timeouts: the harness gives up on its connection. */
const WATCHDOG_MS = REQUEST_TIMEOUT_MS + 5_000;

interface Origin {
  readonly url: string;
  readonly connect: buildConnector.connector | undefined;
  readonly idle: Client[];
}

export class StalledRequestError extends Error {
  readonly code = 'FUZZ_STALLED';
}

/** One request on its own connection, with a watchdog that destroys the connection if undici never settles. */
async function requestOn(client: Client, request: WireRequest): Promise<WireResponse> {
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new StalledRequestError(`no answer in ${WATCHDOG_MS} ms`));
      client.destroy().catch(() => undefined);
    }, WATCHDOG_MS);
  });
  try {
    return await Promise.race([
      watchdog,
      (async () => {
        const response = await client.request({
          path: request.target,
          method: request.method,
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: request.body }),
        });
        const body = await response.body.text();
        return { status: response.statusCode, headers: response.headers, body };
      })(),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the transport needs of the running system: where the edge and services listen, and the PKI. */
export type TransportTarget = Pick<RunningSystem, 'edgeUrl' | 'internalEdgeUrl' | 'serviceUrl'> & {
  readonly pki: Pick<DemoPki, 'ca' | 'qwacs' | 'internal'>;
};

export function createTransport(system: TransportTarget): Transport {
  const ca = readFileSync(system.pki.ca.cert);
  const origins = new Map<string, Origin>();
  const all = new Set<Client>();

  // The edge's certificate towards the services, and the internal CA their certificates chain to.
  const asTheEdge = () =>
    buildConnector({
      secureContext: createSecureContext({
        ca: readFileSync(system.pki.internal.ca.cert),
        cert: readFileSync(system.pki.internal.edge.cert),
        key: readFileSync(system.pki.internal.edge.key),
      }),
    });

  // Introspection is served by the edge's internal listener only, as the bank's API calls it.
  const edgeUrlFor = (target: string) =>
    target.split('?', 1)[0] === '/oauth2/introspect' ? system.internalEdgeUrl : system.edgeUrl;
  const originFor = (
    certificate: DemoQwacName | undefined,
    direct: HttpServiceName | undefined,
    edgeUrl: string,
  ) => {
    const key = direct === undefined ? `edge ${edgeUrl} ${certificate ?? '(none)'}` : `direct ${direct}`;
    let origin = origins.get(key);
    if (origin === undefined) {
      const files = certificate === undefined ? undefined : system.pki.qwacs[certificate];
      origin = {
        url: direct === undefined ? edgeUrl : system.serviceUrl(direct),
        connect:
          direct === undefined
            ? buildConnector({
                // One TLS context per certificate, not one per connection: building it (parsing the
                // key and the CA) cost more than the handshake.
                secureContext: createSecureContext({
                  ca,
                  ...(files ? { cert: readFileSync(files.cert), key: readFileSync(files.key) } : {}),
                }),
              })
            : asTheEdge(),
        idle: [],
      };
      origins.set(key, origin);
    }
    return origin;
  };

  const take = (origin: Origin): Client => {
    let client = origin.idle.pop();
    while (client !== undefined && (client.destroyed || client.closed)) client = origin.idle.pop();
    if (client !== undefined) return client;
    client = new Client(origin.url, {
      keepAliveTimeout: 10_000,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
      ...(origin.connect ? { connect: origin.connect } : {}),
    });
    all.add(client);
    return client;
  };

  return {
    async send(certificate, request, direct) {
      const origin = originFor(certificate, direct, edgeUrlFor(request.target));
      const client = take(origin);
      try {
        return await requestOn(client, request);
      } finally {
        if (client.destroyed || client.closed) all.delete(client);
        else origin.idle.push(client);
      }
    },
    async close() {
      await Promise.all([...all].map((client) => client.destroy().catch(() => undefined)));
      all.clear();
    },
  };
}

/** One header's value as a single string (undici gives a list for a repeated header). */
export function headerOf(response: WireResponse, name: string): string {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}
