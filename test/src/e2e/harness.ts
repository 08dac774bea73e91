import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, it } from '@jest/globals';
import { loadOpenApiDocument } from '@psd2/openapi';
import type { DemoQwacName } from '@psd2/test-pki';
import { type RunningSystem, type SystemOptions, startSystem } from '@psd2/testing';
import * as oidc from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { createResponseValidator, type ObservedResponse } from './openapi-validator.js';

/*
 * The TPP's side of the end-to-end suite: the whole system started as processes, and an HTTP stack
 * (undici, presenting a demo QWAC and trusting the test CA) through which every response is checked
 * against the OpenAPI document before anyone reads it. openid-client, the raw calls and the
 * browser all report to the same list of violations, which each test file asserts empty in its last
 * test (`itMatchedTheDocument`).
 */

export type TppFetch = (url: string, init?: oidc.CustomFetchOptions | RequestInit) => Promise<Response>;

export interface CallResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

export type EdgeCall = (
  qwac: DemoQwacName | undefined,
  path: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array },
) => Promise<CallResult>;

export interface E2eSystem {
  readonly system: RunningSystem;
  readonly issuer: URL;
  /** Every way a response differed from the document, across the whole file. */
  readonly violations: string[];
  /** How many responses were checked. */
  readonly checked: () => number;
  /** Records a response seen elsewhere (the browser) against the document. */
  observe(response: ObservedResponse): void;
  /** The TPP's fetch: mTLS with the QWAC (none for a PSU's browser), every response validated. */
  fetchAs(qwac: DemoQwacName | undefined): TppFetch;
  /** A plain request through the edge, e.g. RFC 7592 management or an attacker's hand-made call. */
  call: EdgeCall;
  /** The same on the edge's internal listener, where the bank's API introspects. */
  callInternal: EdgeCall;
  /** openid-client configured as a TPP client: RFC 8414 discovery, tls_client_auth, the mTLS aliases. */
  discover(qwac: DemoQwacName, clientId: string): Promise<oidc.Configuration>;
  /** RFC 7591 registration with openid-client; the configuration is for the new client. */
  register(qwac: DemoQwacName, metadata: Partial<oidc.ClientMetadata>): Promise<oidc.Configuration>;
  /** base64url SHA-256 of a demo certificate's DER: the `cnf.x5t#S256` of tokens bound to it. */
  thumbprint(qwac: DemoQwacName): string;
  stop(): Promise<void>;
}

/**
 * Declares the file's conformance test: every response the file saw was checked against the OpenAPI
 * document, and none differed. A test rather than an `afterAll`, so that drift fails the run and is
 * counted in its totals. Call it after every other test of the file: Jest runs them in order.
 */
export function itMatchedTheDocument(current: () => E2eSystem): void {
  it('answered every request of this file as the OpenAPI document describes', () => {
    expect(current().checked()).toBeGreaterThan(0);
    expect(current().violations).toEqual([]);
  });
}

const document = loadOpenApiDocument();
const validator = createResponseValidator(document);

export async function startE2e(options: SystemOptions): Promise<E2eSystem> {
  const system = await startSystem({
    ...options,
    env: {
      ...options.env,
      // Each file registers a handful of clients for one organisation within a minute.
      registration: { REGISTRATION_RATE_LIMIT: '1000', ...options.env?.registration },
    },
  });
  const issuer = new URL(system.edgeUrl);
  const ca = readFileSync(system.pki.ca.cert);
  const violations: string[] = [];
  let checked = 0;
  const agents = new Map<string, Agent>();

  const observe = (response: ObservedResponse) => {
    checked += 1;
    violations.push(...validator.check(response));
  };

  const agentFor = (qwac: DemoQwacName | undefined): Agent => {
    const key = qwac ?? '(none)';
    let agent = agents.get(key);
    if (agent === undefined) {
      const files = qwac === undefined ? undefined : system.pki.qwacs[qwac];
      agent = new Agent({
        connect: { ca, ...(files ? { cert: readFileSync(files.cert), key: readFileSync(files.key) } : {}) },
      });
      agents.set(key, agent);
    }
    return agent;
  };

  const fetchAs =
    (qwac: DemoQwacName | undefined): TppFetch =>
    async (url, init = {}) => {
      const method = init.method ?? 'GET';
      const response = await undiciFetch(url, {
        method,
        ...(init.headers === undefined ? {} : { headers: init.headers as Record<string, string> }),
        ...(init.body === undefined || init.body === null ? {} : { body: init.body as string }),
        ...(init.signal ? { signal: init.signal } : {}),
        redirect: 'manual',
        dispatcher: agentFor(qwac),
      });
      const body = await response.clone().text();
      const before = violations.length;
      observe({
        method,
        url,
        status: response.status,
        headers: response.headers as unknown as Headers,
        body,
      });
      if (violations.length > before) {
        // Fail the request itself too, so that the test that made it names the drift.
        throw new Error(
          `response differs from the OpenAPI document:\n${violations.slice(before).join('\n')}`,
        );
      }
      // undici's Response is the WHATWG one Node's global fetch also returns; only the type names differ.
      return response as unknown as Response;
    };

  const callAt =
    (baseUrl: string): EdgeCall =>
    async (qwac, path, init = {}) => {
      const response = await fetchAs(qwac)(`${baseUrl}${path}`, {
        method: init.method ?? 'GET',
        ...(init.headers === undefined ? {} : { headers: init.headers }),
        ...(init.body === undefined ? {} : { body: init.body as string }),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        text,
        json: <T>() => JSON.parse(text) as T,
      };
    };
  const call = callAt(system.edgeUrl);
  const callInternal = callAt(system.internalEdgeUrl);

  const withFetch = (config: oidc.Configuration, qwac: DemoQwacName) => {
    config[oidc.customFetch] = fetchAs(qwac);
    return config;
  };

  return {
    system,
    issuer,
    violations,
    checked: () => checked,
    observe,
    fetchAs,
    call,
    callInternal,
    discover: async (qwac, clientId) =>
      withFetch(
        await oidc.discovery(issuer, clientId, { use_mtls_endpoint_aliases: true }, oidc.TlsClientAuth(), {
          algorithm: 'oauth2',
          [oidc.customFetch]: fetchAs(qwac),
        }),
        qwac,
      ),
    register: async (qwac, metadata) =>
      withFetch(
        await oidc.dynamicClientRegistration(
          issuer,
          { token_endpoint_auth_method: 'tls_client_auth', ...metadata },
          oidc.TlsClientAuth(),
          { algorithm: 'oauth2', [oidc.customFetch]: fetchAs(qwac) },
        ),
        qwac,
      ),
    thumbprint: (qwac) =>
      createHash('sha256')
        .update(new X509Certificate(readFileSync(system.pki.qwacs[qwac].cert)).raw)
        .digest('base64url'),
    async stop() {
      await Promise.all([...agents.values()].map((agent) => agent.close()));
      await system.stop();
    },
  };
}

/** The error an openid-client call was refused with: RFC 6749 `error` and the HTTP status. */
export async function refusal(promise: Promise<unknown>): Promise<{ error: string; status: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError) return { error: error.error, status: error.status };
    throw error;
  }
  throw new Error('expected the server to refuse the request');
}
