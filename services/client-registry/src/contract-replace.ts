import { describe, expect, it } from '@jest/globals';
import * as errors from '@psd2/client-registry-client';
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

/*
 * ReplaceClient (RFC 7592 PUT) against the real service, once per database backend: whole
 * replacement, optimistic versions, renewed certificates, and the audit row of each change.
 */

export function describeReplaceContract(contract: ContractHarness): void {
  describe('ReplaceClient', () => {
    it('replaces the metadata whole (RFC 7592 PUT), bumps the version and audits what changed', async () => {
      const { input, client } = await registerSampleClient(contract);
      const metadata = {
        redirectUris: ['https://app.example.com/new-callback'],
        grantTypes: ['authorization_code'],
        responseTypes: ['code'],
        scope: 'aisp',
        clientName: 'Renamed',
        softwareId: input.metadata.softwareId,
      };
      const replacerThumbprint = thumbprint('renewed certificate');
      const { client: replaced, registrationAccessToken } = await contract.harness.registry.replaceClient({
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
      expect(await contract.harness.registry.getClient(client.clientId, { fresh: true })).toEqual(replaced);

      const audit = await auditOf(contract.database, client.clientId);
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
      const { input, client, registrationAccessToken } = await registerSampleClient(contract);
      const replaced = await contract.harness.registry.replaceClient({
        clientId: client.clientId,
        expectedVersion: 1,
        metadata: input.metadata,
        actor: actorOf(input),
        rotateRegistrationAccessToken: true,
      });
      expect(replaced.registrationAccessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await expectTokenReplaced(
        contract.harness,
        client.clientId,
        registrationAccessToken,
        replaced.registrationAccessToken ?? '',
      );
    });

    it('moves the client to a renewed certificate when one is given, and audits it', async () => {
      const { input, client } = await registerSampleClient(contract);
      const renewed = { subjectDn: 'CN=Renewed,O=Example,C=FR', thumbprint: thumbprint('renewed') };
      const { client: replaced } = await contract.harness.registry.replaceClient({
        clientId: client.clientId,
        expectedVersion: 1,
        metadata: input.metadata,
        actor: { organizationId: input.organizationId, certificateThumbprint: renewed.thumbprint },
        registeredCertificate: renewed,
      });
      expect(replaced.registeredSubjectDn).toBe(renewed.subjectDn);
      expect(replaced.registeredCertificateThumbprint).toBe(renewed.thumbprint);
      const [, change] = await auditOf(contract.database, client.clientId);
      expect(change?.changes.registeredSubjectDn).toEqual({
        from: input.registeredSubjectDn,
        to: renewed.subjectDn,
      });
      expect(change?.changes.registeredCertificateThumbprint).toEqual({
        from: input.registeredCertificateThumbprint,
        to: renewed.thumbprint,
      });

      // Without one, the recorded certificate stays as it was.
      const { client: again } = await contract.harness.registry.replaceClient({
        clientId: client.clientId,
        expectedVersion: 2,
        metadata: input.metadata,
        actor: actorOf(input),
      });
      expect(again.registeredSubjectDn).toBe(renewed.subjectDn);
      expect(again.registeredCertificateThumbprint).toBe(renewed.thumbprint);
    });

    it('refuses a renewed certificate with a malformed thumbprint', async () => {
      const { input, client } = await registerSampleClient(contract);
      const error = await contract.harness.registry
        .replaceClient({
          clientId: client.clientId,
          expectedVersion: 1,
          metadata: input.metadata,
          actor: actorOf(input),
          registeredCertificate: { subjectDn: 'CN=x', thumbprint: 'short' },
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(errors.InvalidClientRequestError);
      expect((error as Error).message).toContain('registered_certificate_thumbprint');
    });

    it('answers FAILED_PRECONDITION for a stale version and changes nothing', async () => {
      const { input, client } = await registerSampleClient(contract);
      await contract.harness.registry.replaceClient({
        clientId: client.clientId,
        expectedVersion: 1,
        metadata: input.metadata,
        actor: actorOf(input),
      });
      const error = await contract.harness.registry
        .replaceClient({
          clientId: client.clientId,
          expectedVersion: 1,
          metadata: { ...input.metadata, clientName: 'lost update' },
          actor: actorOf(input),
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(errors.VersionConflictError);
      const current = await contract.harness.registry.getClient(client.clientId, { fresh: true });
      expect(current.version).toBe(2);
      expect(current.metadata.clientName).toBe('Example budgeting');
    });

    it('lets exactly one of two concurrent replaces win', async () => {
      const { input, client } = await registerSampleClient(contract);
      for (let round = 1; round <= 5; round++) {
        const results = await Promise.allSettled(
          ['first', 'second'].map((name) =>
            contract.harness.registry.replaceClient({
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
        expect(lost[0]?.status === 'rejected' && lost[0].reason).toBeInstanceOf(errors.VersionConflictError);
      }
      const final = await contract.harness.registry.getClient(client.clientId, { fresh: true });
      expect(final.version).toBe(6);
      // One audit row per change that happened, none for the losers.
      expect((await auditOf(contract.database, client.clientId)).map((row) => row.versionAfter)).toEqual([
        1, 2, 3, 4, 5, 6,
      ]);
    });

    it('answers NOT_FOUND, PERMISSION_DENIED and INVALID_ARGUMENT where they apply', async () => {
      const { input, client } = await registerSampleClient(contract);
      const base = {
        clientId: client.clientId,
        expectedVersion: 1,
        metadata: input.metadata,
        actor: actorOf(input),
      };
      await expect(
        contract.harness.registry.replaceClient({ ...base, clientId: 'unknownclientid0000000' }),
      ).rejects.toBeInstanceOf(errors.ClientNotFoundError);
      await expect(
        contract.harness.registry.replaceClient({
          ...base,
          actor: otherOrganisation(),
        }),
      ).rejects.toBeInstanceOf(errors.ClientPermissionDeniedError);
      await expect(
        contract.harness.registry.replaceClient({ ...base, expectedVersion: 0 }),
      ).rejects.toBeInstanceOf(errors.InvalidClientRequestError);
      await expect(
        contract.harness.registry.replaceClient({
          ...base,
          actor: { organizationId: input.organizationId, certificateThumbprint: '' },
        }),
      ).rejects.toBeInstanceOf(errors.InvalidClientRequestError);
    });

    it('answers ALREADY_EXISTS when the new software_id is taken in the organisation', async () => {
      const first = sampleClient();
      await contract.harness.registry.createClient(first);
      const second = sampleClient({ organizationId: first.organizationId });
      const { client } = await contract.harness.registry.createClient(second);
      await expect(
        contract.harness.registry.replaceClient({
          clientId: client.clientId,
          expectedVersion: 1,
          metadata: { ...second.metadata, softwareId: first.metadata.softwareId },
          actor: actorOf(second),
        }),
      ).rejects.toBeInstanceOf(errors.ClientAlreadyExistsError);
    });
  });
}
