import { createHash, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { expect } from '@jest/globals';
import { formatXfccElement, parseQwac } from '@psd2/certificates';
import { type ClientRegistry, createClientRegistry } from '@psd2/client-registry-client';
import {
  type CertificateAuthority,
  type DemoQwacName,
  type IssuedCertificate,
  issueQwac,
} from '@psd2/test-pki';
import { type HttpResult, type RunningSystem, SAMPLE_EC_PUBLIC_JWK } from '@psd2/testing';
import pg from 'pg';

/* Helpers the registration service's system tests share: requests as a TPP, and looks behind the scenes. */

export const JSON_HEADERS = { 'content-type': 'application/json' };

export function register(
  system: RunningSystem,
  qwac: DemoQwacName | undefined,
  body: unknown,
): Promise<HttpResult> {
  return system.client(qwac)('/oauth2/register', {
    method: 'POST',
    headers: JSON_HEADERS,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Registers a client that must be accepted (201): its id and registration access token. */
export async function registerAccepted(
  system: RunningSystem,
  qwac: DemoQwacName,
  body: unknown,
): Promise<{ clientId: string; registrationAccessToken: string }> {
  const created = await register(system, qwac, body);
  expect(created.status).toBe(201);
  const json = created.json<{ client_id: string; registration_access_token: string }>();
  return { clientId: json.client_id, registrationAccessToken: json.registration_access_token };
}

export function manage(
  system: RunningSystem,
  qwac: DemoQwacName | undefined,
  method: 'GET' | 'PUT' | 'DELETE',
  clientId: string,
  token: string | undefined,
  body?: unknown,
): Promise<HttpResult> {
  return system.client(qwac)(`/oauth2/register/${clientId}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : JSON_HEADERS),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** What the certificate of a demo QWAC says, as the services see it. */
export function qwacFacts(system: RunningSystem, qwac: DemoQwacName) {
  const pem = readFileSync(system.pki.qwacs[qwac].cert, 'utf8');
  const der = new X509Certificate(pem).raw;
  return {
    pem,
    identity: parseQwac(pem),
    thumbprint: createHash('sha256').update(der).digest('base64url'),
    /** An XFCC header as the edge would write it for this certificate. */
    xfcc: formatXfccElement({ hash: createHash('sha256').update(der).digest('hex'), cert: pem, subject: '' }),
  };
}

export function openRegistry(system: RunningSystem): ClientRegistry {
  return createClientRegistry({ address: system.registryAddress, transport: { plaintext: true } });
}

export interface AuditEntry {
  readonly action: string;
  readonly actorOrganizationId: string;
  readonly actorCertificateThumbprint: string;
  readonly changes: Record<string, { from: unknown; to: unknown }>;
}

/** The registry's database, read directly: the audit trail and the row count. */
export function openDatabase(system: RunningSystem) {
  const pool = new pg.Pool({ connectionString: system.database.url, max: 2 });
  return {
    async audit(clientId: string): Promise<AuditEntry[]> {
      const { rows } = await pool.query<AuditEntry>(
        `select action, actor_organization_id as "actorOrganizationId",
                actor_certificate_thumbprint as "actorCertificateThumbprint", changes
           from client_audit where client_id = $1 order by id`,
        [clientId],
      );
      return rows;
    },
    /** The metadata document the registry stored for a client. */
    async storedMetadata(clientId: string): Promise<Record<string, unknown> | undefined> {
      const { rows } = await pool.query<{ metadata: Record<string, unknown> }>(
        'select metadata from clients where client_id = $1',
        [clientId],
      );
      return rows[0]?.metadata;
    },
    async clientCount(): Promise<number> {
      const { rows } = await pool.query<{ count: string }>('select count(*) as count from clients');
      return Number(rows[0]?.count ?? 0);
    },
    close: () => pool.end(),
  };
}

/** Every active client of an organisation, through the registry's paginated list. */
export async function allClientIds(registry: ClientRegistry, organizationId: string): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await registry.listClients({
      organizationId,
      pageSize: 100,
      ...(pageToken ? { pageToken } : {}),
    });
    ids.push(...page.clients.map((client) => client.clientId));
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return ids;
}

/** An aisp client's metadata, complete enough to show every field is stored and returned. */
export function aispMetadata(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    redirect_uris: ['https://tpp.example.com/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: 'aisp',
    client_name: 'Budget app',
    'client_name#fr': 'Appli budget',
    'client_name#en': 'Budget app',
    contacts: ['ops@tpp.example.com'],
    logo_uri: 'https://tpp.example.com/logo.png',
    client_uri: 'https://tpp.example.com',
    policy_uri: 'https://tpp.example.com/privacy',
    tos_uri: 'https://tpp.example.com/terms',
    jwks: {
      keys: [{ ...SAMPLE_EC_PUBLIC_JWK }],
    },
    software_id: `budget-${Math.random().toString(36).slice(2)}`,
    software_version: '1.4.2',
    ...overrides,
  };
}

/**
 * A certificate the TPP might get at renewal: same organisation, new key, and here a new subject (CN),
 * issued by the test PKI's trusted CA so the edge accepts it.
 */
export async function issueRenewedQwac(
  system: RunningSystem,
  commonName: string,
): Promise<IssuedCertificate> {
  const caPem = readFileSync(system.pki.ca.cert, 'utf8');
  const caKeyPem = readFileSync(system.pki.ca.key, 'utf8');
  const caCertificate = new X509Certificate(caPem);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const privateKey = await webcrypto.subtle.importKey(
    'pkcs8',
    createPrivateKey(caKeyPem).export({ type: 'pkcs8', format: 'der' }),
    algorithm,
    true,
    ['sign'],
  );
  const publicKey = await webcrypto.subtle.importKey(
    'spki',
    caCertificate.publicKey.export({ type: 'spki', format: 'der' }),
    algorithm,
    true,
    ['verify'],
  );
  const ca: CertificateAuthority = {
    certificatePem: caPem,
    privateKeyPem: caKeyPem,
    der: new Uint8Array(caCertificate.raw),
    x5tS256: createHash('sha256').update(caCertificate.raw).digest('base64url'),
    notBefore: new Date(caCertificate.validFrom),
    notAfter: new Date(caCertificate.validTo),
    // The issuer name the demo CA was created with (test-pki createCertificateAuthority's defaults).
    name: 'C=FR, O=PSD2 Test QTSP, CN=PSD2 Test QTSP CA',
    keys: { privateKey, publicKey },
  };
  return issueQwac(ca, {
    organizationIdentifier: 'PSDFR-ACPR-12345',
    organizationName: 'Demo TPP A',
    commonName,
    roles: ['PSP_AI', 'PSP_PI', 'PSP_IC'],
  });
}

/** One request through the edge with a certificate that is not one of the demo files. */
export function requestWithCertificate(
  system: RunningSystem,
  certificate: IssuedCertificate,
  path: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; json<T = Record<string, unknown>>(): T }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      `${system.edgeUrl}${path}`,
      {
        method: init.method,
        headers: init.headers ?? {},
        ca: readFileSync(system.pki.ca.cert),
        cert: certificate.certificatePem,
        key: certificate.privateKeyPem,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, json: <T>() => JSON.parse(text) as T });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });
}
