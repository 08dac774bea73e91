import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseQwac } from '@psd2/certificates';
import type { ClientRegistry } from '@psd2/client-registry-client';
import type { DemoQwacName } from '@psd2/test-pki';
import {
  CERTIFICATE_REFUSED_BY_EDGE,
  describeFailure,
  failureOf,
  type RunningSystem,
  startSystem,
} from '@psd2/testing';
import { createRedisTokenStore, generateOpaqueToken } from '@psd2/token-store';
import {
  aispMetadata,
  issueRenewedQwac,
  JSON_HEADERS,
  manage,
  openDatabase,
  openRegistry,
  qwacFacts,
  register,
  requestWithCertificate,
} from './test-support.js';

/*
 * RFC 7591 registration and RFC 7592 management, end to end: the whole system as processes, requests
 * through the local mTLS edge presenting the test PKI's QWACs, the registry and its audit trail read
 * behind the scenes.
 */

let system: RunningSystem;
let registry: ClientRegistry;
let database: ReturnType<typeof openDatabase>;

beforeAll(async () => {
  system = await startSystem({
    label: 'registration',
    // The abuse limits have their own test file; here they must not get in the way.
    env: { registration: { REGISTRATION_RATE_LIMIT: '10000', MAX_CLIENTS_PER_ORGANISATION: '100' } },
  });
  registry = openRegistry(system);
  database = openDatabase(system);
}, 60_000);

afterAll(async () => {
  registry?.close();
  await database?.close();
  await system?.stop();
});

interface Registered {
  readonly client_id: string;
  readonly registration_access_token: string;
  readonly registration_client_uri: string;
  readonly [field: string]: unknown;
}

async function registered(qwac: DemoQwacName, body: Record<string, unknown>): Promise<Registered> {
  const response = await register(system, qwac, body);
  expect({ status: response.status, body: response.text }).toMatchObject({ status: 201 });
  return response.json<Registered>();
}

/** The request changes nothing in the registry: no client row appears. */
async function expectNothingStored(work: () => Promise<unknown>): Promise<void> {
  const before = await database.clientCount();
  await work();
  expect(await database.clientCount()).toBe(before);
}

describe('POST /oauth2/register (RFC 7591)', () => {
  it.each([
    ['psp-ai', { scope: 'aisp extended_transaction_history' }, ['PSP_AI']],
    ['psp-ic', { scope: 'cbpii' }, ['PSP_IC']],
    [
      'psp-pi',
      { scope: 'pisp', grant_types: ['client_credentials'], response_types: [], redirect_uris: undefined },
      ['PSP_PI'],
    ],
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
    const response = await register(system, qwac, metadata);
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = response.json<Registered>();
    const facts = qwacFacts(system, qwac);

    expect(body.client_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(body.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.registration_client_uri).toBe(`${system.edgeUrl}/oauth2/register/${body.client_id}`);
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

    const stored = await registry.getClient(body.client_id);
    expect(stored).toMatchObject({
      organizationId: facts.identity.organizationIdentifier,
      organizationName: facts.identity.organizationName,
      ncaId: facts.identity.ncaId,
      roles,
      registeredSubjectDn: facts.identity.subjectDn,
      registeredCertificateThumbprint: facts.thumbprint,
    });
    expect(system.output('registration')).not.toContain(body.registration_access_token);
    expect(system.output('client-registry')).not.toContain(body.registration_access_token);
  });

  describe('without a valid QWAC: 401 invalid_client, nothing stored', () => {
    it('refuses a request without a certificate', async () => {
      await expectNothingStored(async () => {
        const response = await register(system, undefined, aispMetadata());
        expect(response.status).toBe(401);
        expect(response.json()).toMatchObject({ error: 'invalid_client' });
      });
    });

    it.each([['qseal'], ['no-psd2'], ['bad-org-id']] as const)(
      'refuses a %s certificate the edge lets through',
      async (qwac) => {
        await expectNothingStored(async () => {
          const response = await register(system, qwac, aispMetadata());
          expect(response.status).toBe(401);
          expect(response.json()).toMatchObject({ error: 'invalid_client' });
        });
      },
    );

    it.each([['expired'], ['not-yet-valid'], ['untrusted']] as const)(
      'never gets a %s certificate past the edge handshake',
      async (qwac) => {
        await expectNothingStored(async () => {
          const failure = await failureOf(register(system, qwac, aispMetadata()));
          expect(describeFailure(failure)).toMatch(CERTIFICATE_REFUSED_BY_EDGE);
        });
      },
    );

    it.each([['expired'], ['not-yet-valid']] as const)(
      'refuses a %s certificate in the service too, should one reach it',
      async (qwac) => {
        await expectNothingStored(async () => {
          // Straight to the service from loopback, which it trusts as the edge: the service's own check.
          const response = await fetch(`${system.serviceUrl('registration')}/oauth2/register`, {
            method: 'POST',
            headers: { ...JSON_HEADERS, 'x-forwarded-client-cert': qwacFacts(system, qwac).xfcc },
            body: JSON.stringify(aispMetadata()),
          });
          expect(response.status).toBe(401);
          expect(await response.json()).toMatchObject({ error: 'invalid_client' });
        });
      },
    );
  });

  describe('a forged x-forwarded-client-cert header is ignored', () => {
    it('does not authenticate a request that presents no certificate', async () => {
      await expectNothingStored(async () => {
        const response = await system.client(undefined)('/oauth2/register', {
          method: 'POST',
          headers: { ...JSON_HEADERS, 'x-forwarded-client-cert': qwacFacts(system, 'tpp-a').xfcc },
          body: JSON.stringify(aispMetadata()),
        });
        expect(response.status).toBe(401);
        expect(response.json()).toMatchObject({ error: 'invalid_client' });
      });
    });

    it('binds the client to the certificate presented, not to the forged one', async () => {
      const response = await system.client('tpp-b')('/oauth2/register', {
        method: 'POST',
        headers: { ...JSON_HEADERS, 'x-forwarded-client-cert': qwacFacts(system, 'tpp-a').xfcc },
        body: JSON.stringify(aispMetadata()),
      });
      expect(response.status).toBe(201);
      const stored = await registry.getClient(response.json<Registered>().client_id);
      expect(stored.organizationId).toBe('PSDBE-NBB-0123456789');
      expect(stored.registeredCertificateThumbprint).toBe(qwacFacts(system, 'tpp-b').thumbprint);
    });
  });

  describe('metadata refusals: the RFC 7591 error and a description of what is wrong', () => {
    it.each([
      [
        'a scope the roles do not allow',
        'psp-ai',
        { scope: 'aisp pisp' },
        'invalid_client_metadata',
        'PSP_PI',
      ],
      ['cbpii without PSP_IC', 'tpp-b', { scope: 'cbpii' }, 'invalid_client_metadata', 'PSP_IC'],
      ['no scope', 'tpp-a', { scope: undefined }, 'invalid_client_metadata', 'scope is required'],
      [
        'pisp with authorization_code',
        'psp-pi',
        { scope: 'pisp' },
        'invalid_client_metadata',
        'client_credentials',
      ],
      [
        'aisp without refresh_token',
        'psp-ai',
        { grant_types: ['authorization_code'] },
        'invalid_client_metadata',
        'refresh_token',
      ],
      [
        'aisp with client_credentials',
        'psp-ai',
        { grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] },
        'invalid_client_metadata',
        'client_credentials',
      ],
      ['the implicit grant', 'psp-ai', { grant_types: ['implicit'] }, 'invalid_client_metadata', 'implicit'],
      ['response type token', 'psp-ai', { response_types: ['token'] }, 'invalid_client_metadata', 'code'],
      [
        'grant and response types that disagree',
        'psp-pi',
        {
          scope: 'pisp',
          grant_types: ['client_credentials'],
          response_types: ['code'],
          redirect_uris: undefined,
        },
        'invalid_client_metadata',
        'authorization_code',
      ],
      [
        'another authentication method',
        'psp-ai',
        { token_endpoint_auth_method: 'client_secret_basic' },
        'invalid_client_metadata',
        'tls_client_auth',
      ],
      [
        'another subject DN',
        'psp-ai',
        { tls_client_auth_subject_dn: 'CN=Someone else,C=FR' },
        'invalid_client_metadata',
        'tls_client_auth_subject_dn',
      ],
      ['no redirect URI', 'psp-ai', { redirect_uris: undefined }, 'invalid_redirect_uri', 'required'],
      [
        'an http redirect URI',
        'psp-ai',
        { redirect_uris: ['http://tpp.example.com/cb'] },
        'invalid_redirect_uri',
        'https',
      ],
      [
        'a redirect URI with a fragment',
        'psp-ai',
        { redirect_uris: ['https://tpp.example.com/cb#x'] },
        'invalid_redirect_uri',
        'fragment',
      ],
      [
        'a wildcard redirect URI',
        'psp-ai',
        { redirect_uris: ['https://*.tpp.example.com/cb'] },
        'invalid_redirect_uri',
        'wildcard',
      ],
      [
        'a relative redirect URI',
        'psp-ai',
        { redirect_uris: ['/callback'] },
        'invalid_redirect_uri',
        'absolute',
      ],
      [
        'jwks with jwks_uri',
        'psp-ai',
        { jwks_uri: 'https://tpp.example.com/jwks' },
        'invalid_client_metadata',
        'jwks_uri',
      ],
      [
        'a private key in jwks',
        'psp-ai',
        { jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'secret' }] } },
        'invalid_client_metadata',
        'public keys only',
      ],
      [
        'an http logo',
        'psp-ai',
        { logo_uri: 'http://tpp.example.com/logo.png' },
        'invalid_client_metadata',
        'logo_uri',
      ],
      ['a non-string name', 'psp-ai', { client_name: 42 }, 'invalid_client_metadata', 'client_name'],
      [
        'a software statement',
        'psp-ai',
        { software_statement: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln' },
        'invalid_software_statement',
        'not supported',
      ],
      ['a client secret', 'psp-ai', { client_secret: 'hunter2' }, 'invalid_client_metadata', 'client_secret'],
    ] as const)('refuses %s', async (_label, qwac, overrides, error, description) => {
      await expectNothingStored(async () => {
        const response = await register(system, qwac, aispMetadata(overrides));
        expect(response.status).toBe(400);
        expect(response.headers.get('cache-control')).toBe('no-store');
        const body = response.json<{ error: string; error_description: string }>();
        expect(body.error).toBe(error);
        expect(body.error_description).toContain(description);
      });
    });

    it('refuses a second registration of one software_id in the organisation', async () => {
      const metadata = aispMetadata();
      await registered('psp-ai', metadata);
      await expectNothingStored(async () => {
        const response = await register(system, 'psp-ai', metadata);
        expect(response.status).toBe(400);
        expect(response.json()).toMatchObject({ error: 'invalid_client_metadata' });
        expect(response.json<{ error_description: string }>().error_description).toContain('software_id');
      });
    });

    it.each([
      ['malformed JSON', '{"scope": "aisp",', JSON_HEADERS, 400, 'invalid_request'],
      ['a JSON array', '[]', JSON_HEADERS, 400, 'invalid_client_metadata'],
      [
        'a form body',
        'scope=aisp',
        { 'content-type': 'application/x-www-form-urlencoded' },
        415,
        'invalid_request',
      ],
      [
        'a body above the limit',
        JSON.stringify(aispMetadata({ client_name: 'x'.repeat(40_000) })),
        JSON_HEADERS,
        413,
        'invalid_request',
      ],
    ])('refuses %s with a standard error', async (_label, body, headers, status, error) => {
      await expectNothingStored(async () => {
        const response = await system.client('psp-ai')('/oauth2/register', { method: 'POST', headers, body });
        expect(response.status).toBe(status);
        expect(response.json()).toMatchObject({ error });
      });
    });
  });
});

describe('RFC 7592 management', () => {
  /** A GET response turned into a PUT body, as a TPP would send it back (RFC 7592 §2.2). */
  function asUpdate(
    read: Record<string, unknown>,
    changes: Record<string, unknown> = {},
  ): Record<string, unknown> {
    const {
      registration_client_uri: _uri,
      client_id_issued_at: _issued,
      registration_access_token: _token,
      ...rest
    } = read;
    return { ...rest, ...changes };
  }

  it('reads, replaces, rotates the token, deletes, and audits every change', async () => {
    const created = await registered('tpp-a', aispMetadata());
    const id = created.client_id;
    const own = qwacFacts(system, 'tpp-a');

    const read = await manage(system, 'tpp-a', 'GET', id, created.registration_access_token);
    expect(read.status).toBe(200);
    expect(read.headers.get('cache-control')).toBe('no-store');
    const { registration_access_token: _issuedToken, ...withoutToken } = created;
    expect(read.json()).toEqual(withoutToken);

    const put = await manage(
      system,
      'tpp-a',
      'PUT',
      id,
      created.registration_access_token,
      asUpdate(read.json(), {
        client_name: 'Budget app 2',
        redirect_uris: ['https://tpp.example.com/v2/callback'],
        contacts: undefined,
      }),
    );
    expect(put.status).toBe(200);
    const updated = put.json<Registered>();
    expect(updated.client_id).toBe(id);
    expect(updated.client_name).toBe('Budget app 2');
    expect(updated.redirect_uris).toEqual(['https://tpp.example.com/v2/callback']);
    // A full replacement: what the PUT left out is gone.
    expect(updated).not.toHaveProperty('contacts');
    expect(updated.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(updated.registration_access_token).not.toBe(created.registration_access_token);

    // The old token stopped working the moment the new one was issued.
    const stale = await manage(system, 'tpp-a', 'GET', id, created.registration_access_token);
    expect(stale.status).toBe(401);
    expect(stale.json()).toMatchObject({ error: 'invalid_token' });
    expect(stale.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect((await manage(system, 'tpp-a', 'GET', id, updated.registration_access_token)).status).toBe(200);

    // Once deleted, every token of the client stops working: one is saved in the shared store to prove it.
    const tokens = createRedisTokenStore({ url: system.redisUrl, keyPrefix: system.redisKeyPrefix });
    try {
      const accessToken = generateOpaqueToken();
      const now = Math.floor(Date.now() / 1000);
      await tokens.saveAccessToken(accessToken, {
        clientId: id,
        organizationId: own.identity.organizationIdentifier,
        scope: 'pisp',
        issuedAt: now,
        expiresAt: now + 3600,
        certificateThumbprint: own.thumbprint,
      });
      expect(await tokens.findAccessToken(accessToken)).toBeDefined();

      const deleted = await manage(system, 'tpp-a', 'DELETE', id, updated.registration_access_token);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect(await tokens.findAccessToken(accessToken)).toBeUndefined();
    } finally {
      await tokens.close();
    }
    const gone = await manage(system, 'tpp-a', 'GET', id, updated.registration_access_token);
    expect(gone.status).toBe(401);
    expect(gone.json()).toMatchObject({ error: 'invalid_token' });

    const audit = await database.audit(id);
    expect(audit.map((entry) => entry.action)).toEqual(['create', 'replace', 'delete']);
    for (const entry of audit) {
      expect(entry.actorOrganizationId).toBe('PSDFR-ACPR-12345');
      expect(entry.actorCertificateThumbprint).toBe(own.thumbprint);
    }
    expect(audit[1]?.changes.clientName).toEqual({ from: 'Budget app', to: 'Budget app 2' });
    expect(audit[1]?.changes.registrationAccessToken).toEqual({ from: '[hidden]', to: '[hidden]' });
    expect(JSON.stringify(audit)).not.toContain(updated.registration_access_token);
  });

  it('validates a PUT like a registration, and never changes the client_id', async () => {
    const created = await registered('tpp-a', aispMetadata());
    const id = created.client_id;
    const token = created.registration_access_token;
    const read = (await manage(system, 'tpp-a', 'GET', id, token)).json();
    const cases: [Record<string, unknown>, string, string][] = [
      [asUpdate(read, { client_id: undefined }), 'invalid_client_metadata', 'client_id'],
      [
        asUpdate(read, { client_id: 'AAAAAAAAAAAAAAAAAAAAAA' }),
        'invalid_client_metadata',
        'cannot be changed',
      ],
      [
        asUpdate(read, { registration_access_token: token }),
        'invalid_client_metadata',
        'registration_access_token',
      ],
      [asUpdate(read, { redirect_uris: ['http://tpp.example.com/cb'] }), 'invalid_redirect_uri', 'https'],
      [
        asUpdate(read, { scope: 'aisp', grant_types: ['client_credentials'] }),
        'invalid_client_metadata',
        'grant_types',
      ],
      [asUpdate(read, { software_statement: 'x.y.z' }), 'invalid_software_statement', 'not supported'],
    ];
    for (const [body, error, description] of cases) {
      const response = await manage(system, 'tpp-a', 'PUT', id, token, body);
      expect({ status: response.status, ...response.json() }).toMatchObject({ status: 400, error });
      expect(response.json<{ error_description: string }>().error_description).toContain(description);
    }
    // Refused updates changed nothing, the token included.
    const after = await registry.getClient(id);
    expect(after.version).toBe(1);
    expect((await manage(system, 'tpp-a', 'GET', id, token)).status).toBe(200);
  });

  it('lets a renewed certificate of the same organisation manage the client and take it over', async () => {
    const created = await registered('tpp-a', aispMetadata());
    const id = created.client_id;
    const renewed = qwacFacts(system, 'tpp-a-renewed');

    const read = await manage(system, 'tpp-a-renewed', 'GET', id, created.registration_access_token);
    expect(read.status).toBe(200);

    // The TPP sends back what it read, the old certificate's subject DN included.
    const put = await manage(
      system,
      'tpp-a-renewed',
      'PUT',
      id,
      created.registration_access_token,
      asUpdate(read.json()),
    );
    expect(put.status).toBe(200);
    expect(put.json()).toMatchObject({
      client_id: id,
      tls_client_auth_subject_dn: renewed.identity.subjectDn,
    });

    const stored = await registry.getClient(id);
    expect(stored.registeredSubjectDn).toBe(renewed.identity.subjectDn);
    expect(stored.registeredCertificateThumbprint).toBe(renewed.thumbprint);
    expect(stored.metadata.tlsClientAuthSubjectDn).toBe(renewed.identity.subjectDn);
    const audit = await database.audit(id);
    expect(audit.map((entry) => entry.action)).toEqual(['create', 'replace']);
    expect(audit[1]?.actorCertificateThumbprint).toBe(renewed.thumbprint);
    expect(audit[1]?.changes.registeredCertificateThumbprint).toEqual({
      from: qwacFacts(system, 'tpp-a').thumbprint,
      to: renewed.thumbprint,
    });

    const token = put.json<Registered>().registration_access_token;
    expect((await manage(system, 'tpp-a-renewed', 'DELETE', id, token)).status).toBe(204);
  });

  it('moves the client to a renewed certificate with a new subject when the TPP echoes what it read', async () => {
    const created = await registered('tpp-a', aispMetadata());
    const id = created.client_id;
    const renewed = await issueRenewedQwac(system, 'Demo TPP A QWAC 2027');
    const renewedSubject = parseQwac(renewed.certificatePem).subjectDn;
    expect(renewedSubject).not.toBe(created.tls_client_auth_subject_dn);
    const auth = { authorization: `Bearer ${created.registration_access_token}` };

    const read = await requestWithCertificate(system, renewed, `/oauth2/register/${id}`, {
      method: 'GET',
      headers: auth,
    });
    expect(read.status).toBe(200);
    const put = await requestWithCertificate(system, renewed, `/oauth2/register/${id}`, {
      method: 'PUT',
      headers: { ...auth, ...JSON_HEADERS },
      body: JSON.stringify(asUpdate(read.json())),
    });
    expect(put.status).toBe(200);
    expect(put.json()).toMatchObject({ client_id: id, tls_client_auth_subject_dn: renewedSubject });
    const stored = await registry.getClient(id);
    expect(stored).toMatchObject({
      registeredSubjectDn: renewedSubject,
      registeredCertificateThumbprint: renewed.x5tS256,
      metadata: { tlsClientAuthSubjectDn: renewedSubject },
    });

    // A subject DN neither certificate carries is still refused.
    const token = put.json<Registered>().registration_access_token;
    const wrong = await requestWithCertificate(system, renewed, `/oauth2/register/${id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, ...JSON_HEADERS },
      body: JSON.stringify(asUpdate(put.json(), { tls_client_auth_subject_dn: 'CN=Somebody,C=FR' })),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json()).toMatchObject({ error: 'invalid_client_metadata' });
  });

  describe('the 401 / 403 matrix (RFC 7592 §2.1)', () => {
    let client: Registered;
    beforeAll(async () => {
      client = await registered('tpp-a', aispMetadata());
    });

    const answer = async (response: Promise<{ status: number; json: <T>() => T; headers: Headers }>) => {
      const result = await response;
      return {
        status: result.status,
        body: result.json(),
        challenge: result.headers.get('www-authenticate'),
      };
    };

    it('answers 403 to another organisation holding the right token, and changes nothing', async () => {
      for (const method of ['GET', 'PUT', 'DELETE'] as const) {
        const body = method === 'PUT' ? { ...aispMetadata(), client_id: client.client_id } : undefined;
        const response = await manage(
          system,
          'tpp-b',
          method,
          client.client_id,
          client.registration_access_token,
          body,
        );
        expect(response.status).toBe(403);
        expect(response.json()).toMatchObject({ error: 'access_denied' });
      }
      const stored = await registry.getClient(client.client_id);
      expect(stored.version).toBe(1);
      expect((await database.audit(client.client_id)).map((entry) => entry.action)).toEqual(['create']);
    });

    it('answers someone else client with a wrong token exactly like a client that does not exist', async () => {
      const wrongToken = 'W'.repeat(43);
      const theirs = await answer(manage(system, 'tpp-b', 'GET', client.client_id, wrongToken));
      const nobody = await answer(manage(system, 'tpp-b', 'GET', 'ZZZZZZZZZZZZZZZZZZZZZZ', wrongToken));
      const ownWrong = await answer(manage(system, 'tpp-a', 'GET', client.client_id, wrongToken));
      expect(theirs.status).toBe(401);
      expect(theirs.body).toMatchObject({ error: 'invalid_token' });
      expect(theirs.challenge).toMatch(/^Bearer error="invalid_token"/);
      expect(nobody).toEqual(theirs);
      expect(ownWrong).toEqual(theirs);
    });

    it('answers 401 invalid_token without a bearer token', async () => {
      const response = await manage(system, 'tpp-a', 'GET', client.client_id, undefined);
      expect(response.status).toBe(401);
      expect(response.json()).toMatchObject({ error: 'invalid_token' });
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    });

    it('answers 401 invalid_client without a certificate, even with the right token', async () => {
      const response = await manage(
        system,
        undefined,
        'GET',
        client.client_id,
        client.registration_access_token,
      );
      expect(response.status).toBe(401);
      expect(response.json()).toMatchObject({ error: 'invalid_client' });
    });

    it('ignores a forged XFCC of the owner sent with another organisation certificate', async () => {
      const response = await system.client('tpp-b')(`/oauth2/register/${client.client_id}`, {
        headers: {
          authorization: `Bearer ${client.registration_access_token}`,
          'x-forwarded-client-cert': qwacFacts(system, 'tpp-a').xfcc,
        },
      });
      expect(response.status).toBe(403);
    });

    it('never answers 404 for a client id', async () => {
      for (const id of ['ZZZZZZZZZZZZZZZZZZZZZZ', 'not-an-id%20at-all', 'x'.repeat(100)]) {
        const response = await manage(system, 'tpp-a', 'GET', id, client.registration_access_token);
        expect(response.status).toBe(401);
      }
    });
  });
});
