import { describe, expect, it } from '@jest/globals';
import { parseQwac } from '@psd2/certificates';
import { createRedisTokenStore, generateOpaqueToken } from '@psd2/token-store';
import { type Registered, registrationSystem } from './registration.test-support.js';
import {
  aispMetadata,
  issueRenewedQwac,
  JSON_HEADERS,
  manage,
  qwacFacts,
  requestWithCertificate,
} from './test-support.js';

/* RFC 7592 management end to end: read, replace, rotate, delete, audit, certificate renewal. */

const sut = registrationSystem();

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

  /** A client tpp-a registered and then read by `reader`, as a TPP does before a replace. */
  async function registeredThenRead(reader: 'tpp-a' | 'tpp-a-renewed') {
    const created = await sut.registered('tpp-a', aispMetadata());
    const read = await manage(
      sut.system,
      reader,
      'GET',
      created.client_id,
      created.registration_access_token,
    );
    expect(read.status).toBe(200);
    return { created, id: created.client_id, read };
  }

  it('reads, replaces, rotates the token, deletes, and audits every change', async () => {
    const { created, id, read } = await registeredThenRead('tpp-a');
    const own = qwacFacts(sut.system, 'tpp-a');
    expect(read.headers.get('cache-control')).toBe('no-store');
    const { registration_access_token: _issuedToken, ...withoutToken } = created;
    expect(read.json()).toEqual(withoutToken);

    const put = await manage(
      sut.system,
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
    const stale = await manage(sut.system, 'tpp-a', 'GET', id, created.registration_access_token);
    expect(stale.status).toBe(401);
    expect(stale.json()).toMatchObject({ error: 'invalid_token' });
    expect(stale.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect((await manage(sut.system, 'tpp-a', 'GET', id, updated.registration_access_token)).status).toBe(
      200,
    );

    // Once deleted, every token of the client stops working: one is saved in the shared store to prove it.
    const tokens = createRedisTokenStore({ url: sut.system.redisUrl, keyPrefix: sut.system.redisKeyPrefix });
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

      const deleted = await manage(sut.system, 'tpp-a', 'DELETE', id, updated.registration_access_token);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect(await tokens.findAccessToken(accessToken)).toBeUndefined();
    } finally {
      await tokens.close();
    }
    const gone = await manage(sut.system, 'tpp-a', 'GET', id, updated.registration_access_token);
    expect(gone.status).toBe(401);
    expect(gone.json()).toMatchObject({ error: 'invalid_token' });

    const audit = await sut.database.audit(id);
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
    const created = await sut.registered('tpp-a', aispMetadata());
    const id = created.client_id;
    const token = created.registration_access_token;
    const read = (await manage(sut.system, 'tpp-a', 'GET', id, token)).json();
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
      const response = await manage(sut.system, 'tpp-a', 'PUT', id, token, body);
      expect({ status: response.status, ...response.json() }).toMatchObject({ status: 400, error });
      expect(response.json<{ error_description: string }>().error_description).toContain(description);
    }
    // Refused updates changed nothing, the token included.
    const after = await sut.registry.getClient(id);
    expect(after.version).toBe(1);
    expect((await manage(sut.system, 'tpp-a', 'GET', id, token)).status).toBe(200);
  });

  it('lets a renewed certificate of the same organisation manage the client and take it over', async () => {
    const { created, id, read } = await registeredThenRead('tpp-a-renewed');
    const renewed = qwacFacts(sut.system, 'tpp-a-renewed');

    // The TPP sends back what it read, the old certificate's subject DN included.
    const put = await manage(
      sut.system,
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

    const stored = await sut.registry.getClient(id);
    expect(stored.registeredSubjectDn).toBe(renewed.identity.subjectDn);
    expect(stored.registeredCertificateThumbprint).toBe(renewed.thumbprint);
    expect(stored.metadata.tlsClientAuthSubjectDn).toBe(renewed.identity.subjectDn);
    const audit = await sut.database.audit(id);
    expect(audit.map((entry) => entry.action)).toEqual(['create', 'replace']);
    expect(audit[1]?.actorCertificateThumbprint).toBe(renewed.thumbprint);
    expect(audit[1]?.changes.registeredCertificateThumbprint).toEqual({
      from: qwacFacts(sut.system, 'tpp-a').thumbprint,
      to: renewed.thumbprint,
    });

    const token = put.json<Registered>().registration_access_token;
    expect((await manage(sut.system, 'tpp-a-renewed', 'DELETE', id, token)).status).toBe(204);
  });

  it('moves the client to a renewed certificate with a new subject when the TPP echoes what it read', async () => {
    const created = await sut.registered('tpp-a', aispMetadata());
    const id = created.client_id;
    const renewed = await issueRenewedQwac(sut.system, 'Demo TPP A QWAC 2027');
    const renewedSubject = parseQwac(renewed.certificatePem).subjectDn;
    expect(renewedSubject).not.toBe(created.tls_client_auth_subject_dn);
    const auth = { authorization: `Bearer ${created.registration_access_token}` };

    const read = await requestWithCertificate(sut.system, renewed, `/oauth2/register/${id}`, {
      method: 'GET',
      headers: auth,
    });
    expect(read.status).toBe(200);
    const put = await requestWithCertificate(sut.system, renewed, `/oauth2/register/${id}`, {
      method: 'PUT',
      headers: { ...auth, ...JSON_HEADERS },
      body: JSON.stringify(asUpdate(read.json())),
    });
    expect(put.status).toBe(200);
    expect(put.json()).toMatchObject({ client_id: id, tls_client_auth_subject_dn: renewedSubject });
    const stored = await sut.registry.getClient(id);
    expect(stored).toMatchObject({
      registeredSubjectDn: renewedSubject,
      registeredCertificateThumbprint: renewed.x5tS256,
      metadata: { tlsClientAuthSubjectDn: renewedSubject },
    });

    // A subject DN neither certificate carries is still refused.
    const token = put.json<Registered>().registration_access_token;
    const wrong = await requestWithCertificate(sut.system, renewed, `/oauth2/register/${id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, ...JSON_HEADERS },
      body: JSON.stringify(asUpdate(put.json(), { tls_client_auth_subject_dn: 'CN=Somebody,C=FR' })),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json()).toMatchObject({ error: 'invalid_client_metadata' });
  });
});
