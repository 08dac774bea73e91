import { describe, expect, it } from '@jest/globals';
import * as errors from '@psd2/client-registry-client';
import { eq } from 'drizzle-orm';
import { clientAudit, clients } from './db/schema.js';
import {
  actorOf,
  auditOf,
  type ContractHarness,
  expectTokenReplaced,
  otherOrganisation,
  registerSampleClient,
  sampleClient,
  thumbprint,
} from './test-support.js';
import { hashToken } from './tokens.js';

/*
 * Registration access tokens, DeleteClient and ListClients against the real service, on each
 * database backend: hashes only at rest, rotation, deletion kept in the trail, keyset pages.
 */

export function describeTokenDeleteAndListContract(contract: ContractHarness): void {
  describe('the registration access token', () => {
    it('never reaches the database in plain: only its SHA-256 is stored', async () => {
      const { input, client, registrationAccessToken } = await registerSampleClient(contract);
      const rotated = await contract.harness.registry.rotateRegistrationAccessToken({
        clientId: client.clientId,
        actor: actorOf(input),
      });

      const [row] = await contract.database.db
        .select()
        .from(clients)
        .where(eq(clients.clientId, client.clientId));
      expect(row?.registrationAccessTokenSha256).toBe(hashToken(rotated.registrationAccessToken));
      const everything = JSON.stringify({
        clients: await contract.database.db.select().from(clients),
        audit: await contract.database.db.select().from(clientAudit),
      });
      expect(everything).not.toContain(registrationAccessToken);
      expect(everything).not.toContain(rotated.registrationAccessToken);
    });

    it('is checked against the stored hash', async () => {
      const { client, registrationAccessToken } = await contract.harness.registry.createClient(
        sampleClient(),
      );
      const checked = await contract.harness.registry.checkRegistrationAccessToken(
        client.clientId,
        registrationAccessToken,
      );
      expect(checked?.clientId).toBe(client.clientId);
      await expect(
        contract.harness.registry.checkRegistrationAccessToken(
          client.clientId,
          `${registrationAccessToken}x`,
        ),
      ).resolves.toBeUndefined();
      await expect(
        contract.harness.registry.checkRegistrationAccessToken(
          client.clientId,
          registrationAccessToken.slice(1),
        ),
      ).resolves.toBeUndefined();
      // An unknown client looks exactly like a wrong token.
      await expect(
        contract.harness.registry.checkRegistrationAccessToken(
          'unknownclientid0000000',
          registrationAccessToken,
        ),
      ).resolves.toBeUndefined();
      // The registry refuses an empty token as malformed (INVALID_ARGUMENT); the client reads that as "not valid".
      await expect(
        contract.harness.registry.checkRegistrationAccessToken(client.clientId, ''),
      ).resolves.toBeUndefined();
    });

    it('rotates: the new token works, the old one stops at once, and the rotation is audited', async () => {
      const { input, client, registrationAccessToken } = await registerSampleClient(contract);
      const rotated = await contract.harness.registry.rotateRegistrationAccessToken({
        clientId: client.clientId,
        actor: actorOf(input),
      });
      expect(rotated.registrationAccessToken).not.toBe(registrationAccessToken);
      expect(rotated.client.version).toBe(2);
      await expectTokenReplaced(
        contract.harness,
        client.clientId,
        registrationAccessToken,
        rotated.registrationAccessToken,
      );
      const audit = await auditOf(contract.database, client.clientId);
      expect(audit.map((row) => row.action)).toEqual(['create', 'rotate_token']);
      expect(audit[1]).toMatchObject({
        actorOrganizationId: input.organizationId,
        actorCertificateThumbprint: input.registeredCertificateThumbprint,
        versionAfter: 2,
      });
    });

    it('refuses rotation for an unknown client or another organisation', async () => {
      const { input, client } = await registerSampleClient(contract);
      await expect(
        contract.harness.registry.rotateRegistrationAccessToken({
          clientId: 'unknownclientid0000000',
          actor: actorOf(input),
        }),
      ).rejects.toBeInstanceOf(errors.ClientNotFoundError);
      await expect(
        contract.harness.registry.rotateRegistrationAccessToken({
          clientId: client.clientId,
          actor: otherOrganisation(),
        }),
      ).rejects.toBeInstanceOf(errors.ClientPermissionDeniedError);
    });
  });

  describe('DeleteClient', () => {
    it('makes the client unreadable, its token useless, and keeps its audit trail', async () => {
      const { input, client, registrationAccessToken } = await registerSampleClient(contract);
      await contract.harness.registry.deleteClient({ clientId: client.clientId, actor: actorOf(input) });

      await expect(contract.harness.registry.getClient(client.clientId)).rejects.toBeInstanceOf(
        errors.ClientNotFoundError,
      );
      await expect(
        contract.harness.registry.checkRegistrationAccessToken(client.clientId, registrationAccessToken),
      ).resolves.toBeUndefined();
      await expect(
        contract.harness.registry.deleteClient({ clientId: client.clientId, actor: actorOf(input) }),
      ).rejects.toBeInstanceOf(errors.ClientNotFoundError);

      const [row] = await contract.database.db
        .select()
        .from(clients)
        .where(eq(clients.clientId, client.clientId));
      expect(row).toMatchObject({ status: 'deleted', registrationAccessTokenSha256: null, version: 2 });
      const audit = await auditOf(contract.database, client.clientId);
      expect(audit.map((entry) => entry.action)).toEqual(['create', 'delete']);
      expect(audit[0]?.changes.clientName).toEqual({ from: null, to: 'Example budgeting' });
      expect(audit[1]?.changes.status).toEqual({ from: 'active', to: 'deleted' });
      expect(audit[1]?.at).toBeInstanceOf(Date);
    });

    it('honours expected_version, and refuses another organisation', async () => {
      const { input, client } = await registerSampleClient(contract);
      await expect(
        contract.harness.registry.deleteClient({
          clientId: client.clientId,
          actor: actorOf(input),
          expectedVersion: 7,
        }),
      ).rejects.toBeInstanceOf(errors.VersionConflictError);
      await expect(
        contract.harness.registry.deleteClient({
          clientId: client.clientId,
          actor: otherOrganisation(),
        }),
      ).rejects.toBeInstanceOf(errors.ClientPermissionDeniedError);
      await contract.harness.registry.deleteClient({
        clientId: client.clientId,
        actor: actorOf(input),
        expectedVersion: 1,
      });
    });
  });

  describe('ListClients', () => {
    it("pages through one organisation's active clients, oldest first", async () => {
      const organizationId = `PSDFR-ACPR-LIST${contract.database.kind.toUpperCase()}`;
      const created = [];
      for (let i = 0; i < 5; i++) {
        created.push((await contract.harness.registry.createClient(sampleClient({ organizationId }))).client);
      }
      const deleted = (await contract.harness.registry.createClient(sampleClient({ organizationId }))).client;
      await contract.harness.registry.deleteClient({
        clientId: deleted.clientId,
        actor: { organizationId, certificateThumbprint: thumbprint() },
      });
      await contract.harness.registry.createClient(sampleClient()); // another organisation

      const seen: string[] = [];
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const page = await contract.harness.registry.listClients({
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
        contract.harness.registry.listClients({ organizationId: 'PSDFR-ACPR-1', pageToken: 'forged' }),
      ).rejects.toBeInstanceOf(errors.InvalidClientRequestError);
      await expect(
        contract.harness.registry.listClients({ organizationId: 'PSDFR-ACPR-1', pageSize: -1 }),
      ).rejects.toBeInstanceOf(errors.InvalidClientRequestError);
      await expect(contract.harness.registry.listClients({ organizationId: '' })).rejects.toBeInstanceOf(
        errors.InvalidClientRequestError,
      );
    });

    it('returns an empty last page for an organisation without clients', async () => {
      await expect(
        contract.harness.registry.listClients({ organizationId: 'PSDFR-ACPR-NONE' }),
      ).resolves.toEqual({
        clients: [],
      });
    });
  });
}
