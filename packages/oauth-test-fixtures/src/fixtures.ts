import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseQwac, type QwacIdentity } from '@psd2/certificates';
import type { ClientRegistry, RegisteredClient } from '@psd2/client-registry-client';
import type { DemoPki, DemoQwacName } from '@psd2/test-pki';
import { generateGrantId, generateOpaqueToken, type TokenStore } from '@psd2/token-store';

/*
 * Fixtures for tests that play a TPP: clients registered straight in the registry (as the registration
 * service would), and consents planted in the token store (as the authorization service writes them
 * after a PSU grants access).
 */

export const TEST_REDIRECT_URI = 'https://tpp.example/callback';

export function identityOf(pki: DemoPki, qwac: DemoQwacName): QwacIdentity {
  return parseQwac(readFileSync(pki.qwacs[qwac].cert, 'utf8'));
}

export async function registerTestClient(
  registry: ClientRegistry,
  pki: DemoPki,
  qwac: DemoQwacName,
  metadata: {
    readonly scope: string;
    readonly grantTypes: readonly string[];
    readonly roles?: QwacIdentity['roles'];
  },
): Promise<RegisteredClient> {
  const identity = identityOf(pki, qwac);
  const { client } = await registry.createClient({
    organizationId: identity.organizationIdentifier,
    organizationName: identity.organizationName ?? 'Test TPP',
    ncaId: identity.ncaId,
    roles: metadata.roles ?? identity.roles,
    registeredSubjectDn: identity.subjectDn,
    registeredCertificateThumbprint: identity.x5tS256,
    metadata: {
      redirectUris: [TEST_REDIRECT_URI],
      grantTypes: metadata.grantTypes,
      responseTypes: metadata.grantTypes.includes('authorization_code') ? ['code'] : [],
      scope: metadata.scope,
      tokenEndpointAuthMethod: 'tls_client_auth',
    },
  });
  return client;
}

export interface PlantedConsent {
  readonly code: string;
  readonly verifier: string;
  readonly grantId: string;
}

/** A PSU's consent: a 180-day grant and a 60-second PKCE-bound code, as the authorization service stores them. */
export async function plantConsent(
  store: TokenStore,
  client: RegisteredClient,
  scope: string,
): Promise<PlantedConsent> {
  const verifier = randomBytes(32).toString('base64url');
  const grantId = generateGrantId();
  const at = Math.floor(Date.now() / 1000);
  await store.createGrant({
    grantId,
    clientId: client.clientId,
    organizationId: client.organizationId,
    subject: 'psu-0001',
    scope,
    authTime: at,
    createdAt: at,
    expiresAt: at + 180 * 24 * 3600,
  });
  const code = generateOpaqueToken();
  await store.saveAuthorizationCode(code, {
    clientId: client.clientId,
    redirectUri: TEST_REDIRECT_URI,
    scope,
    grantId,
    subject: 'psu-0001',
    codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
    issuedAt: at,
    expiresAt: at + 60,
  });
  return { code, verifier, grantId };
}

/** An `application/x-www-form-urlencoded` POST for `system.client(...)`. */
export function formPost(fields: Readonly<Record<string, string>>) {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}
