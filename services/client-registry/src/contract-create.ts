import { describe, expect, it } from '@jest/globals';
import * as errors from '@psd2/client-registry-client';
import { actorOf, type ContractHarness, registerSampleClient, sampleClient } from './test-support.js';

/*
 * CreateClient and GetClient against the real service over gRPC, on PostgreSQL and on PGlite alike:
 * what is stored, what is refused, and the health the server reports.
 */

export function describeCreateAndReadContract(contract: ContractHarness): void {
  describe('CreateClient', () => {
    it('stores every field, generates the id and returns the registration access token once', async () => {
      const { input, client, registrationAccessToken } = await registerSampleClient(contract);

      expect(client.clientId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(registrationAccessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(client).toMatchObject({
        organizationId: input.organizationId,
        organizationName: input.organizationName,
        ncaId: 'FR-ACPR',
        roles: ['PSP_AI', 'PSP_PI'],
        registeredSubjectDn: input.registeredSubjectDn,
        registeredCertificateThumbprint: input.registeredCertificateThumbprint,
        status: 'active',
        version: 1,
      });
      expect(client.metadata).toEqual(input.metadata);
      expect(client.createdAt).toBeInstanceOf(Date);
      expect(client.updatedAt.getTime()).toBe(client.createdAt.getTime());

      const read = await contract.harness.registry.getClient(client.clientId);
      expect(read).toEqual(client);
    });

    it('keeps absent optional metadata absent', async () => {
      const input = sampleClient({
        metadata: {
          redirectUris: ['https://a.example/cb'],
          grantTypes: ['authorization_code'],
          responseTypes: ['code'],
        },
      });
      const { client } = await contract.harness.registry.createClient(input);
      expect(client.metadata.scope).toBeUndefined();
      expect(client.metadata.jwks).toBeUndefined();
      expect(client.metadata.contacts).toEqual([]);
      expect(client.metadata.clientNameLocalized).toEqual({});
    });

    it('generates distinct client ids', async () => {
      const ids = await Promise.all(
        [1, 2, 3].map(
          async () => (await contract.harness.registry.createClient(sampleClient())).client.clientId,
        ),
      );
      expect(new Set(ids).size).toBe(3);
    });

    it.each([
      ['no roles', { roles: [] }, 'roles'],
      [
        'a malformed thumbprint',
        { registeredCertificateThumbprint: 'abc' },
        'registered_certificate_thumbprint',
      ],
      ['an empty organisation', { organizationId: '  ' }, 'organization_id'],
    ])('refuses %s with INVALID_ARGUMENT', async (_label, overrides, field) => {
      const error = await contract.harness.registry
        .createClient(sampleClient(overrides))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(errors.InvalidClientRequestError);
      expect((error as Error).message).toContain(field);
    });

    it.each([
      ['jwks and jwks_uri together', { jwksUri: 'https://app.example.com/jwks' }, 'jwks_uri'],
      ['a redirect URI with a fragment', { redirectUris: ['https://app.example.com/cb#x'] }, 'fragment'],
      ['a relative redirect URI', { redirectUris: ['/callback'] }, 'redirect_uris'],
      ['a bad language tag', { clientNameLocalized: { 'not a tag': 'x' } }, 'language tag'],
      ['a jwks without keys', { jwks: { keys: 'no' } as never }, 'keys'],
    ])('refuses metadata with %s', async (_label, metadata, message) => {
      const input = sampleClient();
      const error = await contract.harness.registry
        .createClient({ ...input, metadata: { ...input.metadata, ...metadata } })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(errors.InvalidClientRequestError);
      expect((error as Error).message).toContain(message);
    });

    it('answers ALREADY_EXISTS for a second active client of the same software in one organisation', async () => {
      const { input, client, registrationAccessToken } = await registerSampleClient(contract);
      await expect(contract.harness.registry.createClient(input)).rejects.toBeInstanceOf(
        errors.ClientAlreadyExistsError,
      );
      // The same software in another organisation is another client.
      await expect(
        contract.harness.registry.createClient(sampleClient({ metadata: input.metadata })),
      ).resolves.toBeDefined();
      // Once deleted, the software may be registered again.
      expect(registrationAccessToken).toBeDefined();
      await contract.harness.registry.deleteClient({ clientId: client.clientId, actor: actorOf(input) });
      await expect(contract.harness.registry.createClient(input)).resolves.toBeDefined();
    });
  });

  describe('GetClient', () => {
    it('answers NOT_FOUND for an unknown client and INVALID_ARGUMENT for a malformed id, which the client reads as unknown', async () => {
      await expect(contract.harness.registry.getClient('unknownclientid0000000')).rejects.toBeInstanceOf(
        errors.ClientNotFoundError,
      );
      for (const malformed of ['', 'not/a client']) {
        const error = await contract.harness.registry.getClient(malformed).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(errors.ClientNotFoundError);
        expect((error as Error).cause).toBeInstanceOf(errors.InvalidClientRequestError);
      }
    });
  });

  describe('health', () => {
    it('reports SERVING for the registry and for the whole server', async () => {
      await expect(contract.harness.health()).resolves.toBe('SERVING');
      await expect(contract.harness.health('')).resolves.toBe('SERVING');
    });
  });
}
