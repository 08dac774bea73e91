import { describe, expect, it } from '@jest/globals';
import { CERTIFICATE_REFUSED_BY_EDGE, describeFailure, failureOf, fetchAsTheEdge } from '@psd2/testing';
import { type Registered, registrationSystem } from './registration.test-support.js';
import { aispMetadata, JSON_HEADERS, qwacFacts, register } from './test-support.js';

/* RFC 7591 registration end to end: who may register, and what is stored for them. */

const sut = registrationSystem();

describe('POST /oauth2/register (RFC 7591)', () => {
  it.each([
    ['psp-ai', { scope: 'aisp extended_transaction_history' }, ['PSP_AI']],
    ['psp-ic', { scope: 'cbpii' }, ['PSP_IC']],
    [
      'psp-pi',
      { scope: 'pisp', grant_types: ['client_credentials'], response_types: [], redirect_uris: undefined },
      ['PSP_PI'],
    ],
    // A PISP's payment consent by the code flow: redirect URIs, no refresh token.
    ['psp-pi', { scope: 'pisp', grant_types: ['authorization_code'] }, ['PSP_PI']],
    ['psp-pi', { scope: 'pisp', grant_types: ['authorization_code', 'client_credentials'] }, ['PSP_PI']],
    [
      'tpp-a',
      {
        scope: 'aisp cbpii pisp',
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      },
      ['PSP_AI', 'PSP_PI', 'PSP_IC'],
    ],
  ] as const)('registers a %s client bound to the certificate', async (qwac, overrides, roles) => {
    const metadata = aispMetadata(overrides);
    const response = await register(sut.system, qwac, metadata);
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = response.json<Registered>();
    const facts = qwacFacts(sut.system, qwac);

    expect(body.client_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(body.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.registration_client_uri).toBe(`${sut.system.edgeUrl}/oauth2/register/${body.client_id}`);
    expect(response.headers.get('location')).toBe(body.registration_client_uri);
    expect(Math.abs(Number(body.client_id_issued_at) - Date.now() / 1000)).toBeLessThan(60);
    expect(body).not.toHaveProperty('client_secret');
    // Every metadata field sent is stored and returned, with the defaults filled in.
    const { redirect_uris, ...rest } = metadata;
    expect(body).toMatchObject({
      ...rest,
      redirect_uris: redirect_uris ?? [],
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: facts.identity.subjectDn,
    });

    const stored = await sut.registry.getClient(body.client_id);
    expect(stored).toMatchObject({
      organizationId: facts.identity.organizationIdentifier,
      organizationName: facts.identity.organizationName,
      ncaId: facts.identity.ncaId,
      roles,
      registeredSubjectDn: facts.identity.subjectDn,
      registeredCertificateThumbprint: facts.thumbprint,
    });
    expect(sut.system.output('registration')).not.toContain(body.registration_access_token);
    expect(sut.system.output('client-registry')).not.toContain(body.registration_access_token);
  });

  describe('without a valid QWAC: 401 invalid_client, nothing stored', () => {
    it.each([
      ['without a certificate', undefined],
      ['with a qseal certificate the edge lets through', 'qseal'],
      ['with a no-psd2 certificate the edge lets through', 'no-psd2'],
      ['with a bad-org-id certificate the edge lets through', 'bad-org-id'],
    ] as const)('refuses a request %s', async (_case, qwac) => {
      await sut.expectNothingStored(async () => {
        const response = await register(sut.system, qwac, aispMetadata());
        expect(response.status).toBe(401);
        expect(response.json()).toMatchObject({ error: 'invalid_client' });
      });
    });

    it.each([['expired'], ['not-yet-valid'], ['untrusted']] as const)(
      'never gets a %s certificate past the edge handshake',
      async (qwac) => {
        await sut.expectNothingStored(async () => {
          const failure = await failureOf(register(sut.system, qwac, aispMetadata()));
          expect(describeFailure(failure)).toMatch(CERTIFICATE_REFUSED_BY_EDGE);
        });
      },
    );

    it.each([['expired'], ['not-yet-valid']] as const)(
      'refuses a %s certificate in the service too, should one reach it',
      async (qwac) => {
        await sut.expectNothingStored(async () => {
          // Straight to the service with the edge's own certificate: the service's own check.
          const response = await fetchAsTheEdge(sut.system.pki)(
            `${sut.system.serviceUrl('registration')}/oauth2/register`,
            {
              method: 'POST',
              headers: { ...JSON_HEADERS, 'x-forwarded-client-cert': qwacFacts(sut.system, qwac).xfcc },
              body: JSON.stringify(aispMetadata()),
            },
          );
          expect(response.status).toBe(401);
          expect(response.json()).toMatchObject({ error: 'invalid_client' });
        });
      },
    );
  });

  describe('a forged x-forwarded-client-cert header is ignored', () => {
    it('does not authenticate a request that presents no certificate', async () => {
      await sut.expectNothingStored(async () => {
        const response = await sut.system.client(undefined)('/oauth2/register', {
          method: 'POST',
          headers: { ...JSON_HEADERS, 'x-forwarded-client-cert': qwacFacts(sut.system, 'tpp-a').xfcc },
          body: JSON.stringify(aispMetadata()),
        });
        expect(response.status).toBe(401);
        expect(response.json()).toMatchObject({ error: 'invalid_client' });
      });
    });

    it('binds the client to the certificate presented, not to the forged one', async () => {
      const response = await sut.system.client('tpp-b')('/oauth2/register', {
        method: 'POST',
        headers: { ...JSON_HEADERS, 'x-forwarded-client-cert': qwacFacts(sut.system, 'tpp-a').xfcc },
        body: JSON.stringify(aispMetadata()),
      });
      expect(response.status).toBe(201);
      const stored = await sut.registry.getClient(response.json<Registered>().client_id);
      expect(stored.organizationId).toBe('PSDBE-NBB-0123456789');
      expect(stored.registeredCertificateThumbprint).toBe(qwacFacts(sut.system, 'tpp-b').thumbprint);
    });
  });
});
