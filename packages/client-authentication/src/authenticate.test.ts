import { beforeAll, describe, expect, it } from '@jest/globals';
import { CertificateError, parseQwac, type QwacIdentity } from '@psd2/certificates';
import {
  ClientNotFoundError,
  type ClientRegistry,
  type RegisteredClient,
  RegistryUnavailableError,
} from '@psd2/client-registry-client';
import { InvalidClientError, TemporarilyUnavailableError } from '@psd2/oauth-errors';
import { createCertificateAuthority, issueQwac } from '@psd2/test-pki';
import { authenticateTlsClient, type CertificateOutcome } from './authenticate.js';

let current: QwacIdentity;
let renewed: QwacIdentity;
let renamed: QwacIdentity;
let otherOrganisation: QwacIdentity;

beforeAll(async () => {
  const ca = await createCertificateAuthority();
  const issue = async (organizationIdentifier: string, commonName = 'Demo TPP QWAC') =>
    parseQwac((await issueQwac(ca, { organizationIdentifier, roles: ['PSP_AI'], commonName })).der);
  current = await issue('PSDFR-ACPR-12345');
  renewed = await issue('PSDFR-ACPR-12345');
  renamed = await issue('PSDFR-ACPR-12345', 'Demo TPP QWAC 2027');
  otherOrganisation = await issue('PSDBE-NBB-0123456789');
});

function registeredClient(overrides: Partial<RegisteredClient> = {}): RegisteredClient {
  return {
    clientId: 'client-1',
    organizationId: 'PSDFR-ACPR-12345',
    organizationName: 'Demo TPP',
    ncaId: 'FR-ACPR',
    roles: ['PSP_AI'],
    registeredSubjectDn: current.subjectDn,
    registeredCertificateThumbprint: current.x5tS256,
    metadata: {
      redirectUris: [],
      grantTypes: ['client_credentials'],
      responseTypes: [],
      tokenEndpointAuthMethod: 'tls_client_auth',
    },
    status: 'active',
    createdAt: new Date(),
    updatedAt: new Date(),
    version: 1,
    ...overrides,
  };
}

function registryAnswering(answer: RegisteredClient | Error): ClientRegistry {
  const getClient = async () => {
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { getClient } as unknown as ClientRegistry;
}

const present = (identity: QwacIdentity): CertificateOutcome => ({ kind: 'present', identity });

async function refusal(promise: Promise<unknown>): Promise<InvalidClientError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InvalidClientError) return error;
    throw error;
  }
  throw new Error('expected invalid_client');
}

describe('authenticateTlsClient (RFC 8705 §2.1.1)', () => {
  it('accepts the registered certificate of the client', async () => {
    const result = await authenticateTlsClient({
      clientId: 'client-1',
      certificate: present(current),
      registry: registryAnswering(registeredClient()),
    });
    expect(result.client.clientId).toBe('client-1');
    expect(result.certificate.x5tS256).toBe(current.x5tS256);
  });

  it('refuses a client whose organisation the bank suspended, and accepts one with only a role suspended', async () => {
    const suspended = registeredClient({ suspension: { organisationSuspended: true, suspendedRoles: [] } });
    const error = await refusal(
      authenticateTlsClient({
        clientId: 'client-1',
        certificate: present(current),
        registry: registryAnswering(suspended),
      }),
    );
    expect(error.detail).toMatch(/suspended by the bank/);
    const roleOnly = registeredClient({
      suspension: { organisationSuspended: false, suspendedRoles: ['PSP_PI'] },
    });
    await expect(
      authenticateTlsClient({
        clientId: 'client-1',
        certificate: present(current),
        registry: registryAnswering(roleOnly),
      }),
    ).resolves.toBeDefined();
  });

  it('accepts a renewed certificate of the same organisation and subject', async () => {
    await expect(
      authenticateTlsClient({
        clientId: 'client-1',
        certificate: present(renewed),
        registry: registryAnswering(registeredClient()),
      }),
    ).resolves.toMatchObject({ certificate: { x5tS256: renewed.x5tS256 } });
  });

  it('accepts a renewed certificate with a new subject once the client was updated to it', async () => {
    const updated = registeredClient({
      metadata: { ...registeredClient().metadata, tlsClientAuthSubjectDn: renamed.subjectDn },
    });
    await expect(
      authenticateTlsClient({
        clientId: 'client-1',
        certificate: present(renamed),
        registry: registryAnswering(updated),
      }),
    ).resolves.toBeDefined();
  });

  it.each([
    ['no certificate', { kind: 'absent' } as CertificateOutcome, 'client-1', /no client certificate/],
    [
      'a refused certificate',
      {
        kind: 'refused',
        error: new CertificateError('ERR_CERT_NOT_WEB_AUTHENTICATION', 'QSealC'),
      } as CertificateOutcome,
      'client-1',
      /ERR_CERT_NOT_WEB_AUTHENTICATION/,
    ],
    ['no client_id', undefined, undefined, /client_id is missing/],
  ])('refuses %s', async (_case, certificate, clientId, detail) => {
    const error = await refusal(
      authenticateTlsClient({
        clientId,
        certificate: certificate ?? present(current),
        registry: registryAnswering(registeredClient()),
      }),
    );
    expect(error.detail).toMatch(detail);
    expect(error.description).toBe('Client authentication failed.');
  });

  // Thunks: the identities are issued in beforeAll.
  it.each([
    [
      'an unknown or deleted client',
      () => current,
      () => new ClientNotFoundError('not_found', 5, 'no such client'),
      /unknown or deleted/,
    ],
    [
      "another organisation's certificate presenting a stolen client_id",
      () => otherOrganisation,
      () => registeredClient(),
      /does not own client/,
    ],
    [
      'a certificate of the organisation whose subject is not the registered one',
      () => renamed,
      () => registeredClient(),
      /is not the registered/,
    ],
  ] as const)('refuses %s', async (_case, identity, answer, detail) => {
    const error = await refusal(
      authenticateTlsClient({
        clientId: 'client-1',
        certificate: present(identity()),
        registry: registryAnswering(answer()),
      }),
    );
    expect(error.detail).toMatch(detail);
  });

  it('refuses a client registered for another authentication method', async () => {
    const client = registeredClient({
      metadata: { ...registeredClient().metadata, tokenEndpointAuthMethod: 'private_key_jwt' },
    });
    await refusal(
      authenticateTlsClient({
        clientId: 'client-1',
        certificate: present(current),
        registry: registryAnswering(client),
      }),
    );
  });

  it('says temporarily_unavailable, not invalid_client, when the registry is down', async () => {
    await expect(
      authenticateTlsClient({
        clientId: 'client-1',
        certificate: present(current),
        registry: registryAnswering(new RegistryUnavailableError('unavailable', 14, 'connection refused')),
      }),
    ).rejects.toBeInstanceOf(TemporarilyUnavailableError);
  });
});
