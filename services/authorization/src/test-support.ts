import { createHash, randomBytes } from 'node:crypto';
import {
  type ClientMetadata,
  type ClientRegistry,
  createClientRegistry,
  type Psd2RoleName,
  type RegisteredClient,
} from '@psd2/client-registry-client';
import type { HttpResult, RunningSystem } from '@psd2/testing';

/*
 * Helpers for the tests that drive the pages through the local edge as a browser would: clients
 * created straight in the registry, PKCE pairs, a one-cookie jar and form scraping.
 */

export function registryOf(system: RunningSystem): ClientRegistry {
  return createClientRegistry({
    address: system.registryAddress,
    transport: { plaintext: true },
    deadlineMs: 5000,
  });
}

export async function createTestClient(
  registry: ClientRegistry,
  options: {
    roles: Psd2RoleName[];
    scope: string;
    redirectUris?: string[];
    grantTypes?: string[];
    responseTypes?: string[];
    clientName?: string;
    clientNameLocalized?: Record<string, string>;
  },
): Promise<RegisteredClient> {
  const suffix = randomBytes(4).toString('hex');
  const metadata: ClientMetadata = {
    redirectUris: options.redirectUris ?? ['https://tpp.example/cb?tenant=1'],
    grantTypes: options.grantTypes ?? ['authorization_code', 'refresh_token'],
    responseTypes: options.responseTypes ?? ['code'],
    scope: options.scope,
    tokenEndpointAuthMethod: 'tls_client_auth',
    clientName: options.clientName ?? `Fintech ${suffix}`,
    ...(options.clientNameLocalized === undefined
      ? {}
      : { clientNameLocalized: options.clientNameLocalized }),
  };
  const issued = await registry.createClient({
    organizationId: `PSDFR-ACPR-${suffix}`,
    organizationName: `Fintech SAS ${suffix}`,
    ncaId: 'FR-ACPR',
    roles: options.roles,
    registeredSubjectDn: `CN=tpp-${suffix},O=Fintech SAS`,
    registeredCertificateThumbprint: randomBytes(32).toString('base64url'),
    metadata,
  });
  return issued.client;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeQuery(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.append(name, value);
  return query.toString();
}

/** The session cookie of a response, as a `cookie` request header value. */
export function sessionCookie(result: HttpResult): string | undefined {
  const cookies = result.headers.getSetCookie();
  const session = cookies.find(
    (cookie) => cookie.startsWith('__Host-psd2-authz=') && !cookie.includes('Max-Age=0'),
  );
  return session?.split(';')[0];
}

export function csrfToken(page: string): string {
  const match = /name="csrf_token" value="([^"]+)"/.exec(page);
  if (match?.[1] === undefined) throw new Error('no CSRF token on the page');
  return match[1];
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The query parameters of a redirect's Location. */
export function locationParams(result: HttpResult): URLSearchParams {
  const location = result.headers.get('location');
  if (location === null)
    throw new Error(`no Location header (status ${result.status}): ${result.text.slice(0, 300)}`);
  return new URL(location).searchParams;
}
