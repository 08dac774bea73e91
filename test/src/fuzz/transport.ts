import { readFileSync } from 'node:fs';
import type { DemoQwacName } from '@psd2/test-pki';
import type { HttpServiceName, RunningSystem } from '@psd2/testing';
import { Agent } from 'undici';
import type { WireRequest } from './request.js';

/*
 * How fuzz requests reach the system: one keep-alive undici agent per client certificate, so a TLS
 * handshake happens once per connection and not once per request. Requests go through the edge with
 * real mTLS, or (for the forwarded-certificate parser) straight to a service over plain HTTP from a
 * trusted proxy address.
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
const REQUEST_TIMEOUT_MS = 10_000;

export function createTransport(system: RunningSystem, connectionsPerCertificate: number): Transport {
  const ca = readFileSync(system.pki.ca.cert);
  const agents = new Map<string, Agent>();
  const agentFor = (certificate: DemoQwacName | undefined): Agent => {
    const key = certificate ?? '(none)';
    let agent = agents.get(key);
    if (agent === undefined) {
      const files = certificate === undefined ? undefined : system.pki.qwacs[certificate];
      agent = new Agent({
        connections: connectionsPerCertificate,
        keepAliveTimeout: 10_000,
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
        connect: {
          ca,
          ...(files ? { cert: readFileSync(files.cert), key: readFileSync(files.key) } : {}),
        },
      });
      agents.set(key, agent);
    }
    return agent;
  };
  const plain = new Agent({ connections: connectionsPerCertificate, keepAliveTimeout: 10_000 });

  return {
    async send(certificate, request, direct) {
      const origin = direct === undefined ? system.edgeUrl : system.serviceUrl(direct);
      const dispatcher = direct === undefined ? agentFor(certificate) : plain;
      const response = await dispatcher.request({
        origin,
        path: request.target,
        method: request.method,
        headers: request.headers,
        // Beyond undici's own timeouts: nothing, not even a stalled TLS handshake, holds a worker for long.
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS + 5_000),
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      const body = await response.body.text();
      return { status: response.statusCode, headers: response.headers, body };
    },
    async close() {
      await Promise.all([...agents.values(), plain].map((agent) => agent.close()));
    },
  };
}

/** One header's value as a single string (undici gives a list for a repeated header). */
export function headerOf(response: WireResponse, name: string): string {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}
