import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type Actor,
  ClientAlreadyExistsError,
  ClientNotFoundError,
  ClientPermissionDeniedError,
  InvalidClientRequestError,
  VersionConflictError,
} from '@psd2/client-registry-client';
import { asc, eq } from 'drizzle-orm';
import type { RegistryDatabase } from './db/database.js';
import { clientAudit, clients } from './db/schema.js';
import {
  backends,
  type Harness,
  type OpenDatabase,
  sampleClient,
  startHarness,
  thumbprint,
} from './test-support.js';
import { hashToken } from './tokens.js';

/*
 * The registry's contract, over real gRPC, run once on PostgreSQL and once on PGlite: the embedded
 * database must behave exactly as production's.
 */

describe.each(backends)('client registry on $name', (backend) => {
  let opened: OpenDatabase;
  let database: RegistryDatabase;
  let harness: Harness;

  beforeAll(async () => {
    opened = await backend.open('client_registry_contract');
    database = opened.database;
    harness = await startHarness(database);
  });

  afterAll(async () => {
    await harness?.stop();
    await opened?.cleanup();
  });

  const actorOf = (input: ReturnType<typeof sampleClient>): Actor => ({
    organizationId: input.organizationId,
    certificateThumbprint: input.registeredCertificateThumbprint,
  });

  const auditOf = (clientId: string) =>
    database.db
      .select()
      .from(clientAudit)
      .where(eq(clientAudit.clientId, clientId))
      .orderBy(asc(clientAudit.id));

  describe('CreateClient', () => {
    it('stores every field, generates the id and returns the registration access token once', async () => {
      const input = sampleClient();
      const { client, registrationAccessToken } = await harness.registry.createClient(input);

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

      const read = await harness.registry.getClient(client.clientId);
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
      const { client } = await harness.registry.createClient(input);
      expect(client.metadata.scope).toBeUndefined();
      expect(client.metadata.jwks).toBeUndefined();
      expect(client.metadata.contacts).toEqual([]);
      expect(client.metadata.clientNameLocalized).toEqual({});
    });

    it('generates distinct client ids', async () => {
      const ids = await Promise.all(
        [1, 2, 3].map(async () => (await harness.registry.createClient(sampleClient())).client.clientId),
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
      const error = await harness.registry.createClient(sampleClient(overrides)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidClientRequestError);
      expect((error as Error).message).toContain(field);
    });

    it.each([
      ['jwks and jwks_uri together', { jwksUri: 'https://app.example.com/jwks' }, 'jwks_uri'],
      ['a redirect URI with a fragment', { redirectUris: ['https://app.example.com/cb#x'] }, 'fragment'],
      ['a relative redirect URI', { redirectUris: ['/callback'] }, 'redirect_uris'],
      ['a bad language tag', { clientNameLocalized: { 'not a tag': 'x' } }, 'language tags'],
      ['a jwks without keys', { jwks: { keys: 'no' } as never }, 'keys'],
    ])('refuses metadata with %s', async (_label, metadata, message) => {
      const input = sampleClient();
      const error = await harness.registry
        .createClient({ ...input, metadata: { ...input.metadata, ...metadata } })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidClientRequestError);
      expect((error as Error).message).toContain(message);
    });

    it('answers ALREADY_EXISTS for a second active client of the same software in one organisation', async () => {
      const input = sampleClient();
      const { client, registrationAccessToken } = await harness.registry.createClient(input);
      await expect(harness.registry.createClient(input)).rejects.toBeInstanceOf(ClientAlreadyExistsError);
      // The same software in another organisation is another client.
      await expect(
        harness.registry.createClient(sampleClient({ metadata: input.metadata })),
      ).resolves.toBeDefined();
      // Once deleted, the software may be registered again.
      expect(registrationAccessToken).toBeDefined();
      await harness.registry.deleteClient({ clientId: client.clientId, actor: actorOf(input) });
      await expect(harness.registry.createClient(input)).resolves.toBeDefined();
    });
  });

  describe('the registration access token', () => {
    it('never reaches the database in plain: only its SHA-256 is stored', async () => {
      const input = sampleClient();
      const { client, registrationAccessToken } = await harness.registry.createClient(input);
      const rotated = await harness.registry.rotateRegistrationAccessToken({
        clientId: client.clientId,
        actor: actorOf(input),
      });

      const [row] = await database.db.select().from(clients).where(eq(clients.clientId, client.clientId));
      expect(row?.registrationAccessTokenSha256).toBe(hashToken(rotated.registrationAccessToken));
      const everything = JSON.stringify({
        clients: await database.db.select().from(clients),
        audit: await database.db.select().from(clientAudit),
      });
      expect(everything).not.toContain(registrationAccessToken);
      expect(everything).not.toContain(rotated.registrationAccessToken);
    });

    it('is checked against the stored hash', async () => {
      const { client, registrationAccessToken } = await harness.registry.createClient(sampleClient());
      const checked = await harness.registry.checkRegistrationAccessToken(
        client.clientId,
        registrationAccessToken,
      );
      expect(checked?.clientId).toBe(client.clientId);
      await expect(
        harness.registry.checkRegistrationAccessToken(client.clientId, `${registrationAccessToken}x`),
      ).resolves.toBeUndefined();
      await expect(
        harness.registry.checkRegistrationAccessToken(client.clientId, registrationAccessToken.slice(1)),
      ).resolves.toBeUndefined();
      // An unknown client looks exactly like a wrong token.
      await expect(
        harness.registry.checkRegistrationAccessToken('unknownclientid0000000', registrationAccessToken),
      ).resolves.toBeUndefined();
      // The registry refuses an empty token as malformed (INVALID_ARGUMENT); the client reads that as "not valid".
      await expect(
        harness.registry.checkRegistrationAccessToken(client.clientId, ''),
      ).resolves.toBeUndefined();
    });

    it('rotates: the new token works, the old one stops at once, and the rotation is audited', async () => {
      const input = sampleClient();
      const { client, registrationAccessToken } = await harness.registry.createClient(input);
      const rotated = await harness.registry.rotateRegistrationAccessToken({
        clientId: client.clientId,
        actor: actorOf(input),
      });
      expect(rotated.registrationAccessToken).not.toBe(registrationAccessToken);
      expect(rotated.client.version).toBe(2);
      await expect(
        harness.registry.checkRegistrationAccessToken(client.clientId, registrationAccessToken),
      ).resolves.toBeUndefined();
      await expect(
        harness.registry.checkRegistrationAccessToken(client.clientId, rotated.registrationAccessToken),
      ).resolves.toBeDefined();
      const audit = await auditOf(client.clientId);
      expect(audit.map((row) => row.action)).toEqual(['create', 'rotate_token']);
      expect(audit[1]).toMatchObject({
        actorOrganizationId: input.organizationId,
        actorCertificateThumbprint: input.registeredCertificateThumbprint,
        versionAfter: 2,
      });
    });

    it('refuses rotation for an unknown client or another organisation', async () => {
      const input = sampleClient();
      const { client } = await harness.registry.createClient(input);
      await expect(
        harness.registry.rotateRegistrationAccessToken({
          clientId: 'unknownclientid0000000',
          actor: actorOf(input),
        }),
      ).rejects.toBeInstanceOf(ClientNotFoundError);
      await expect(
        harness.registry.rotateRegistrationAccessToken({
          clientId: client.clientId,
          actor: { organizationId: 'PSDFR-ACPR-OTHER', certificateThumbprint: thumbprint() },
        }),
      ).rejects.toBeInstanceOf(ClientPermissionDeniedError);
    });
  });

  describe('GetClient', () => {
    it('answers NOT_FOUND for an unknown client and INVALID_ARGUMENT for a malformed id, which the client reads as unknown', async () => {
      await expect(harness.registry.getClient('unknownclientid0000000')).rejects.toBeInstanceOf(
        ClientNotFoundError,
      );
      for (const malformed of ['', 'not/a client']) {
        const error = await harness.registry.getClient(malformed).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ClientNotFoundError);
        expect((error as Error).cause).toBeInstanceOf(InvalidClientRequestError);
      }
    });
  });

  describe('ReplaceClient', () => {
    it('replaces the metadata whole (RFC 7592 PUT), bumps the version and audits what changed', async () => {
      const input = sampleClient();
      const { client } = await harness.registry.createClient(input);
      const metadata = {
        redirectUris: ['https://app.example.com/new-callback'],
        grantTypes: ['authorization_code'],
        responseTypes: ['code'],
        scope: 'aisp',
        clientName: 'Renamed',
        softwareId: input.metadata.softwareId,
      };
      const replacerThumbprint = thumbprint('renewed certificate');
      const { client: replaced, registrationAccessToken } = await harness.registry.replaceClient({
        clientId: client.clientId,
        expectedVersion: 1,
        metadata,
        actor: { organizationId: input.organizationId, certificateThumbprint: replacerThumbprint },
      });
      expect(registrationAccessToken).toBeUndefined();
      expect(replaced.version).toBe(2);
      expect(replaced.updatedAt.getTime()).toBeGreaterThanOrEqual(client.updatedAt.getTime());
      expect(replaced.createdAt).toEqual(client.createdAt);
      // Fields left out of the PUT are gone.
      expect(replaced.metadata).toEqual({ ...metadata, clientNameLocalized: {}, contacts: [] });
      expect(await harness.registry.getClient(client.clientId, { fresh: true })).toEqual(replaced);

      const audit = await auditOf(client.clientId);
      expect(audit.map((row) => row.action)).toEqual(['create', 'replace']);
      const change = audit[1];
      expect(change).toMatchObject({
        actorOrganizationId: input.organizationId,
        actorCertificateThumbprint: replacerThumbprint,
        versionAfter: 2,
      });
      expect(change?.changes.clientName).toEqual({ from: 'Example budgeting', to: 'Renamed' });
      expect(change?.changes.redirectUris).toEqual({
        from: input.metadata.redirectUris,
        to: ['https://app.example.com/new-callback'],
      });
      expect(change?.changes.tosUri).toEqual({ from: input.metadata.tosUri, to: null });
      // Unchanged fields are not listed.
      expect(change?.changes).not.toHaveProperty('softwareId');
      expect(change?.changes).not.toHaveProperty('responseTypes');
    });

    it('rotates the registration access token when asked', async () => {
      const input = sampleClient();
      const { client, registrationAccessToken } = await harness.registry.createClient(input);
      const replaced = await harness.registry.replaceClient({
        clientId: client.clientId,
        expectedVersion: 1,
        metadata: input.metadata,
        actor: actorOf(input),
        rotateRegistrationAccessToken: true,
      });
      expect(replaced.registrationAccessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await expect(
        harness.registry.checkRegistrationAccessToken(client.clientId, registrationAccessToken),
      ).resolves.toBeUndefined();
      await expect(
        harness.registry.checkRegistrationAccessToken(
          client.clientId,
          replaced.registrationAccessToken ?? '',
        ),
      ).resolves.toBeDefined();
    });

    it('moves the client to a renewed certificate when one is given, and audits it', async () => {
      const input = sampleClient();
      const { client } = await harness.registry.createClient(input);
      const renewed = { subjectDn: 'CN=Renewed,O=Example,C=FR', thumbprint: thumbprint('renewed') };
      const { client: replaced } = await harness.registry.replaceClient({
        clientId: client.clientId,
        expectedVersion: 1,
        metadata: input.metadata,
        actor: { organizationId: input.organizationId, certificateThumbprint: renewed.thumbprint },
        registeredCertificate: renewed,
      });
      expect(replaced.registeredSubjectDn).toBe(renewed.subjectDn);
      expect(replaced.registeredCertificateThumbprint).toBe(renewed.thumbprint);
      const [, change] = await auditOf(client.clientId);
      expect(change?.changes.registeredSubjectDn).toEqual({
        from: input.registeredSubjectDn,
        to: renewed.subjectDn,
      });
      expect(change?.changes.registeredCertificateThumbprint).toEqual({
        from: input.registeredCertificateThumbprint,
        to: renewed.thumbprint,
      });

      // Without one, the recorded certificate stays as it was.
      const { client: again } = await harness.registry.replaceClient({
        clientId: client.clientId,
        expectedVersion: 2,
        metadata: input.metadata,
        actor: actorOf(input),
      });
      expect(again.registeredSubjectDn).toBe(renewed.subjectDn);
      expect(again.registeredCertificateThumbprint).toBe(renewed.thumbprint);
    });

    it('refuses a renewed certificate with a malformed thumbprint', async () => {
      const input = sampleClient();
      const { client } = await harness.registry.createClient(input);
      const error = await harness.registry
        .replaceClient({
          clientId: client.clientId,
          expectedVersion: 1,
          metadata: input.metadata,
          actor: actorOf(input),
          registeredCertificate: { subjectDn: 'CN=x', thumbprint: 'short' },
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidClientRequestError);
      expect((error as Error).message).toContain('registered_certificate_thumbprint');
    });

    it('answers FAILED_PRECONDITION for a stale version and changes nothing', async () => {
      const input = sampleClient();
      const { client } = await harness.registry.createClient(input);
      await harness.registry.replaceClient({
        clientId: client.clientId,
        expectedVersion: 1,
        metadata: input.metadata,
        actor: actorOf(input),
      });
      const error = await harness.registry
        .replaceClient({
          clientId: client.clientId,
          expectedVersion: 1,
          metadata: { ...input.metadata, clientName: 'lost update' },
          actor: actorOf(input),
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VersionConflictError);
      const current = await harness.registry.getClient(client.clientId, { fresh: true });
      expect(current.version).toBe(2);
      expect(current.metadata.clientName).toBe('Example budgeting');
    });

    it('lets exactly one of two concurrent replaces win', async () => {
      const input = sampleClient();
      const { client } = await harness.registry.createClient(input);
      for (let round = 1; round <= 5; round++) {
        const results = await Promise.allSettled(
          ['first', 'second'].map((name) =>
            harness.registry.replaceClient({
              clientId: client.clientId,
              expectedVersion: round,
              metadata: { ...input.metadata, clientName: `${name} ${round}` },
              actor: actorOf(input),
            }),
          ),
        );
        const won = results.filter((result) => result.status === 'fulfilled');
        const lost = results.filter((result) => result.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]?.status === 'rejected' && lost[0].reason).toBeInstanceOf(VersionConflictError);
      }
      const final = await harness.registry.getClient(client.clientId, { fresh: true });
      expect(final.version).toBe(6);
      // One audit row per change that happened, none for the losers.
      expect((await auditOf(client.clientId)).map((row) => row.versionAfter)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('answers NOT_FOUND, PERMISSION_DENIED and INVALID_ARGUMENT where they apply', async () => {
      const input = sampleClient();
      const { client } = await harness.registry.createClient(input);
      const base = {
        clientId: client.clientId,
        expectedVersion: 1,
        metadata: input.metadata,
        actor: actorOf(input),
      };
      await expect(
        harness.registry.replaceClient({ ...base, clientId: 'unknownclientid0000000' }),
      ).rejects.toBeInstanceOf(ClientNotFoundError);
      await expect(
        harness.registry.replaceClient({
          ...base,
          actor: { organizationId: 'PSDFR-ACPR-OTHER', certificateThumbprint: thumbprint() },
        }),
      ).rejects.toBeInstanceOf(ClientPermissionDeniedError);
      await expect(harness.registry.replaceClient({ ...base, expectedVersion: 0 })).rejects.toBeInstanceOf(
        InvalidClientRequestError,
      );
      await expect(
        harness.registry.replaceClient({
          ...base,
          actor: { organizationId: input.organizationId, certificateThumbprint: '' },
        }),
      ).rejects.toBeInstanceOf(InvalidClientRequestError);
    });

    it('answers ALREADY_EXISTS when the new software_id is taken in the organisation', async () => {
      const first = sampleClient();
      await harness.registry.createClient(first);
      const second = sampleClient({ organizationId: first.organizationId });
      const { client } = await harness.registry.createClient(second);
      await expect(
        harness.registry.replaceClient({
          clientId: client.clientId,
          expectedVersion: 1,
          metadata: { ...second.metadata, softwareId: first.metadata.softwareId },
          actor: actorOf(second),
        }),
      ).rejects.toBeInstanceOf(ClientAlreadyExistsError);
    });
  });

  describe('DeleteClient', () => {
    it('makes the client unreadable, its token useless, and keeps its audit trail', async () => {
      const input = sampleClient();
      const { client, registrationAccessToken } = await harness.registry.createClient(input);
      await harness.registry.deleteClient({ clientId: client.clientId, actor: actorOf(input) });

      await expect(harness.registry.getClient(client.clientId)).rejects.toBeInstanceOf(ClientNotFoundError);
      await expect(
        harness.registry.checkRegistrationAccessToken(client.clientId, registrationAccessToken),
      ).resolves.toBeUndefined();
      await expect(
        harness.registry.deleteClient({ clientId: client.clientId, actor: actorOf(input) }),
      ).rejects.toBeInstanceOf(ClientNotFoundError);

      const [row] = await database.db.select().from(clients).where(eq(clients.clientId, client.clientId));
      expect(row).toMatchObject({ status: 'deleted', registrationAccessTokenSha256: null, version: 2 });
      const audit = await auditOf(client.clientId);
      expect(audit.map((entry) => entry.action)).toEqual(['create', 'delete']);
      expect(audit[0]?.changes.clientName).toEqual({ from: null, to: 'Example budgeting' });
      expect(audit[1]?.changes.status).toEqual({ from: 'active', to: 'deleted' });
      expect(audit[1]?.at).toBeInstanceOf(Date);
    });

    it('honours expected_version, and refuses another organisation', async () => {
      const input = sampleClient();
      const { client } = await harness.registry.createClient(input);
      await expect(
        harness.registry.deleteClient({
          clientId: client.clientId,
          actor: actorOf(input),
          expectedVersion: 7,
        }),
      ).rejects.toBeInstanceOf(VersionConflictError);
      await expect(
        harness.registry.deleteClient({
          clientId: client.clientId,
          actor: { organizationId: 'PSDFR-ACPR-OTHER', certificateThumbprint: thumbprint() },
        }),
      ).rejects.toBeInstanceOf(ClientPermissionDeniedError);
      await harness.registry.deleteClient({
        clientId: client.clientId,
        actor: actorOf(input),
        expectedVersion: 1,
      });
    });
  });

  describe('ListClients', () => {
    it("pages through one organisation's active clients, oldest first", async () => {
      const organizationId = `PSDFR-ACPR-LIST${backend.name.toUpperCase()}`;
      const created = [];
      for (let i = 0; i < 5; i++) {
        created.push((await harness.registry.createClient(sampleClient({ organizationId }))).client);
      }
      const deleted = (await harness.registry.createClient(sampleClient({ organizationId }))).client;
      await harness.registry.deleteClient({
        clientId: deleted.clientId,
        actor: { organizationId, certificateThumbprint: thumbprint() },
      });
      await harness.registry.createClient(sampleClient()); // another organisation

      const seen: string[] = [];
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const page = await harness.registry.listClients({
          organizationId,
          pageSize: 2,
          ...(pageToken ? { pageToken } : {}),
        });
        expect(page.clients.length).toBeLessThanOrEqual(2);
        seen.push(...page.clients.map((client) => client.clientId));
        pageToken = page.nextPageToken;
        pages++;
      } while (pageToken !== undefined && pages < 10);

      expect(pages).toBe(3);
      expect(seen).toEqual(created.map((client) => client.clientId));
    });

    it('refuses a forged page token, a negative page size and a missing organisation', async () => {
      await expect(
        harness.registry.listClients({ organizationId: 'PSDFR-ACPR-1', pageToken: 'forged' }),
      ).rejects.toBeInstanceOf(InvalidClientRequestError);
      await expect(
        harness.registry.listClients({ organizationId: 'PSDFR-ACPR-1', pageSize: -1 }),
      ).rejects.toBeInstanceOf(InvalidClientRequestError);
      await expect(harness.registry.listClients({ organizationId: '' })).rejects.toBeInstanceOf(
        InvalidClientRequestError,
      );
    });

    it('returns an empty last page for an organisation without clients', async () => {
      await expect(harness.registry.listClients({ organizationId: 'PSDFR-ACPR-NONE' })).resolves.toEqual({
        clients: [],
      });
    });
  });

  describe('health', () => {
    it('reports SERVING for the registry and for the whole server', async () => {
      await expect(harness.health()).resolves.toBe('SERVING');
      await expect(harness.health('')).resolves.toBe('SERVING');
    });
  });
});
