import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { type E2eSystem, itMatchedTheDocument, startE2e } from './harness.js';

/*
 * A TPP's developer meeting the server for the first time: discovery, the OpenAPI document, a PISP's
 * client credentials, and the life of a registration (RFC 7591 and 7592), all with openid-client over
 * real mutual TLS through the local edge.
 */

let e2e: E2eSystem;

beforeAll(async () => {
  e2e = await startE2e({ label: 'e2e-clients' });
}, 60_000);

afterAll(async () => {
  await e2e?.stop();
});

describe('as a TPP', () => {
  it('discovers the RFC 8414 metadata with openid-client', async () => {
    const config = await e2e.discover('tpp-a', 'not-registered-yet');
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(e2e.system.edgeUrl);
    expect(metadata.token_endpoint).toBe(`${e2e.system.edgeUrl}/oauth2/token`);
    expect(metadata.registration_endpoint).toBe(`${e2e.system.edgeUrl}/oauth2/register`);
    expect(metadata.tls_client_certificate_bound_access_tokens).toBe(true);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.mtls_endpoint_aliases?.token_endpoint).toBe(metadata.token_endpoint);
  });

  it('reads the OpenAPI document, which names this server', async () => {
    const result = await e2e.call(undefined, '/oauth2/openapi.json');
    expect(result.status).toBe(200);
    const document = result.json<{
      openapi: string;
      servers: { url: string }[];
      paths: Record<string, unknown>;
    }>();
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(document.servers).toEqual([{ url: e2e.system.edgeUrl }]);
    expect(Object.keys(document.paths)).toContain('/oauth2/token');
  });

  it('PISP: registers, gets a pisp token with client_credentials, and the bank introspects it', async () => {
    const pisp = await e2e.register('tpp-a', {
      grant_types: ['client_credentials'],
      scope: 'pisp',
      client_name: 'Payments Co',
    });
    const registered = pisp.clientMetadata();
    expect(registered.client_id).toMatch(/^[\w-]+$/);
    expect(registered.scope).toBe('pisp');
    expect(registered.token_endpoint_auth_method).toBe('tls_client_auth');

    const tokens = await oidc.clientCredentialsGrant(pisp, { scope: 'pisp' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.scope).toBe('pisp');
    expect(tokens.refresh_token).toBeUndefined();

    const bank = await e2e.discover('psp-as', 'bank-psd2-api');
    const introspection = await oidc.tokenIntrospection(bank, tokens.access_token);
    expect(introspection).toMatchObject({
      active: true,
      scope: 'pisp',
      client_id: registered.client_id,
      iss: e2e.system.edgeUrl,
      cnf: { 'x5t#S256': e2e.thumbprint('tpp-a') },
    });
  });

  it('RFC 7592: reads, updates with the renewed certificate, deletes; then every token of the client is inactive', async () => {
    const client = await e2e.register('tpp-a', { grant_types: ['client_credentials'], scope: 'pisp' });
    const {
      client_id: clientId,
      registration_access_token: firstToken,
      registration_client_uri: uri,
    } = client.clientMetadata() as {
      client_id: string;
      registration_access_token: string;
      registration_client_uri: string;
    };
    expect(uri).toBe(`${e2e.system.edgeUrl}/oauth2/register/${clientId}`);
    const path = new URL(uri).pathname;
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const before = await oidc.clientCredentialsGrant(client, { scope: 'pisp' });

    const read = await e2e.call('tpp-a', path, { headers: bearer(firstToken) });
    expect(read.status).toBe(200);
    const current = read.json();
    expect(current).toMatchObject({
      client_id: clientId,
      scope: 'pisp',
      grant_types: ['client_credentials'],
    });
    expect(current.registration_access_token).toBeUndefined();

    // The QWAC was renewed: the update, presented with the new certificate, moves the client to it.
    const { client_id_issued_at: _issued, registration_client_uri: _uri, ...metadata } = current;
    const updated = await e2e.call('tpp-a-renewed', path, {
      method: 'PUT',
      headers: { ...bearer(firstToken), 'content-type': 'application/json' },
      body: JSON.stringify({ ...metadata, client_name: 'Payments Co (renewed)' }),
    });
    expect(updated.status).toBe(200);
    const renewed = updated.json<{ registration_access_token: string; client_name: string }>();
    expect(renewed.client_name).toBe('Payments Co (renewed)');
    expect(renewed.registration_access_token).not.toBe(firstToken);
    // The old registration access token was rotated away.
    expect((await e2e.call('tpp-a', path, { headers: bearer(firstToken) })).status).toBe(401);

    const renewedClient = await e2e.discover('tpp-a-renewed', clientId);
    const after = await oidc.clientCredentialsGrant(renewedClient, { scope: 'pisp' });
    const bank = await e2e.discover('psp-as', 'bank-psd2-api');
    expect(await oidc.tokenIntrospection(bank, after.access_token)).toMatchObject({
      active: true,
      cnf: { 'x5t#S256': e2e.thumbprint('tpp-a-renewed') },
    });

    const deleted = await e2e.call('tpp-a-renewed', path, {
      method: 'DELETE',
      headers: bearer(renewed.registration_access_token),
    });
    expect(deleted.status).toBe(204);
    for (const token of [before.access_token, after.access_token]) {
      expect(await oidc.tokenIntrospection(bank, token)).toEqual({ active: false });
    }
    // The token service reuses a client read from the registry for up to CLIENT_REGISTRY_CACHE_MS (2 s):
    // within that window a deleted client may still be issued a token, which is born inactive.
    const deadline = Date.now() + 8000;
    for (;;) {
      const attempt = await oidc
        .clientCredentialsGrant(renewedClient, { scope: 'pisp' })
        .catch((error: unknown) => error);
      if (attempt instanceof oidc.ResponseBodyError) {
        expect({ error: attempt.error, status: attempt.status }).toEqual({
          error: 'invalid_client',
          status: 401,
        });
        break;
      }
      if (attempt instanceof Error) throw attempt;
      expect(await oidc.tokenIntrospection(bank, (attempt as { access_token: string }).access_token)).toEqual(
        {
          active: false,
        },
      );
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const gone = await e2e.call('tpp-a-renewed', path, {
      headers: bearer(renewed.registration_access_token),
    });
    expect(gone.status).toBe(401);
    expect(gone.json().error).toBe('invalid_token');
  });
});

// Every response of the file was checked against the OpenAPI document as it arrived.
itMatchedTheDocument(() => e2e);
