import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type ClientRegistry,
  createClientRegistry,
  type RegisteredClient,
} from '@psd2/client-registry-client';
import { generateOpaqueToken, TokenStoreUnavailableError } from '@psd2/token-store';
import { RegistryError } from './errors.js';
import { createSuspensions, operatorActionsFor, recordOperatorAction } from './suspensions.js';
import { accessRecordOf, OPERATOR, useSuspensionBed } from './suspensions.test-support.js';
import { postgresBackend, sampleClient, silentLogger } from './test-support.js';

/*
 * Operator suspensions when a dependency fails or a request is bad, the audit trail of other operator
 * actions, and the services' client cache during a suspension (PostgreSQL and Redis).
 */

describe('operator suspensions: failures and audit', () => {
  const bed = useSuspensionBed(postgresBackend, 'client_registry_suspension_failures');
  const { issued, organisationWith } = bed;

  it('fails closed: with the token store down nothing is recorded, with the database down the tokens are dead', async () => {
    const { organizationId, clients } = await organisationWith('aisp');
    const client = clients[0] as RegisteredClient;
    const request = { organizationId, operator: OPERATOR, reason: 'Failing dependencies' };

    const storeDown = createSuspensions({
      database: bed.database,
      tokenStore: {
        suspendClient: () => Promise.reject(new TokenStoreUnavailableError(new Error('ECONNREFUSED'))),
        reinstateClient: () => Promise.reject(new TokenStoreUnavailableError(new Error('ECONNREFUSED'))),
      },
      logger: silentLogger,
    });
    await expect(storeDown.suspend(request)).rejects.toMatchObject({ code: 'unavailable' });
    expect(await bed.suspensions.inForce(organizationId)).toEqual([]);

    const token = await issued(client);
    let transactions = 0;
    const databaseFailsOnWrite = createSuspensions({
      database: {
        transaction: (work) => {
          transactions += 1;
          // The first transaction reads the organisation; the second would record the suspension.
          if (transactions === 2) return Promise.reject(new RegistryError('unavailable', 'database down'));
          return bed.database.transaction(work);
        },
      },
      tokenStore: bed.tokenStore,
      logger: silentLogger,
    });
    await expect(databaseFailsOnWrite.suspend(request)).rejects.toMatchObject({ code: 'unavailable' });
    expect(await token.active()).toBe(false);
    expect(await bed.suspensions.inForce(organizationId)).toEqual([]);
    // The operator retries: now recorded.
    expect((await bed.suspensions.suspend(request)).changed).toBe(true);
  });

  it('refuses a reason the audit trail must not hold, and an operator without a certificate', async () => {
    const organizationId = 'PSDFR-ACPR-REASONS';
    for (const reason of ['', '   ', 'x'.repeat(501), 'line one\nline two', 'bell\u0007', 'hidden\u202e']) {
      await expect(
        bed.suspensions.suspend({ organizationId, operator: OPERATOR, reason }),
      ).rejects.toMatchObject({
        code: 'invalid_argument',
      });
    }
    await expect(
      bed.suspensions.suspend({
        organizationId,
        operator: { subject: '', certificateThumbprint: '' },
        reason: 'Why',
      }),
    ).rejects.toBeInstanceOf(RegistryError);
    expect(await bed.suspensions.history(organizationId)).toEqual([]);
    await expect(
      bed.suspensions.suspend({ organizationId, operator: OPERATOR, reason: `${'é'.repeat(500)}` }),
    ).resolves.toMatchObject({ changed: true });
  });

  it('records other operator actions and finds them by organisation, client or customer', async () => {
    const organizationId = 'PSDFR-ACPR-ACTIONS';
    await recordOperatorAction(bed.database, {
      operator: OPERATOR,
      action: 'withdraw_grant',
      reason: 'Customer asked at the branch',
      organizationId,
      clientId: 'client-of-actions',
      grantId: 'grant-1',
      psuId: 'psu-actions-1',
    });
    await recordOperatorAction(bed.database, {
      operator: OPERATOR,
      action: 'withdraw_grant',
      reason: 'Second consent',
      organizationId,
      clientId: 'another-client',
      grantId: 'grant-2',
      psuId: 'psu-actions-2',
    });
    expect(
      (await operatorActionsFor(bed.database, { organizationId })).map((action) => action.grantId),
    ).toEqual(['grant-1', 'grant-2']);
    expect(await operatorActionsFor(bed.database, { psuId: 'psu-actions-2' })).toEqual([
      expect.objectContaining({
        clientId: 'another-client',
        psuId: 'psu-actions-2',
        reason: 'Second consent',
      }),
    ]);
    expect(await operatorActionsFor(bed.database, { clientId: 'client-of-actions', limit: 1 })).toHaveLength(
      1,
    );
    await expect(
      recordOperatorAction(bed.database, { operator: OPERATOR, action: 'withdraw_grant', reason: '' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
describe('the services’ client cache during a suspension', () => {
  const bed = useSuspensionBed(postgresBackend, 'client_registry_suspension_cache');
  let cached: ClientRegistry;

  beforeAll(() => {
    cached = createClientRegistry({
      address: bed.harness.address,
      transport: { plaintext: true },
      cacheTtlMs: 5000,
    });
  });

  afterAll(() => {
    cached?.close();
  });

  it('may still pass a cached client for up to 5 s, but whatever is issued to it then is inactive', async () => {
    const organizationId = 'PSDFR-ACPR-CACHED';
    const { client } = await bed.harness.registry.createClient(sampleClient({ organizationId }));
    expect((await cached.getClient(client.clientId)).suspension?.organisationSuspended).toBe(false);

    await bed.suspensions.suspend({ organizationId, operator: OPERATOR, reason: 'Cache window' });

    const stale = await cached.getClient(client.clientId);
    expect(stale.suspension?.organisationSuspended).toBe(false);
    const token = generateOpaqueToken();
    await bed.tokenStore.saveAccessToken(token, accessRecordOf(stale, 'aisp'));
    expect(await bed.tokenStore.findAccessToken(token)).toBeUndefined();
    const fresh = await cached.getClient(client.clientId, { fresh: true });
    expect(fresh.suspension?.organisationSuspended).toBe(true);
  });
});
