import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PAYMENT_INITIATION_EXAMPLE } from '@psd2/payment-details';
import { createRedisTokenStore } from '@psd2/token-store';
import { operatorActionsFor } from '../suspensions.js';
import {
  type Harness,
  type OpenDatabase,
  postgresBackend,
  sampleClient,
  startHarness,
} from '../test-support.js';
import { type AdminHarness, sampleGrant, startAdminHarness } from './test-support.js';

/*
 * Bank staff acting for a customer: list the customer's active consents with the client's name and the
 * payment, withdraw one (audited with the PSU), and UNAVAILABLE, not a failure of the whole registry,
 * while the token store is down.
 */

let opened: OpenDatabase;
let registry: Harness;
let admin: AdminHarness;

beforeAll(async () => {
  opened = await postgresBackend.open('admin_grants');
  registry = await startHarness(opened.database);
  admin = await startAdminHarness(opened.database, { label: 'admin_grants' });
});

afterAll(async () => {
  await admin?.stop();
  await registry?.stop();
  await opened?.cleanup();
});

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { code?: number }) => error.code,
  );

describe("a customer's grants through the admin API", () => {
  it('lists the active grants, newest first, with client name and payment summary', async () => {
    const input = sampleClient();
    const { client } = await registry.registry.createClient(input);
    const psuId = `psu-${Date.now()}`;
    const older = sampleGrant(client.clientId, {
      subject: psuId,
      createdAt: Math.floor(Date.now() / 1000) - 60,
    });
    const payment = sampleGrant(client.clientId, {
      subject: psuId,
      scope: 'pisp',
      authorizationDetails: [PAYMENT_INITIATION_EXAMPLE],
    });
    await admin.tokenStore.createGrant(older);
    await admin.tokenStore.createGrant(payment);
    await admin.tokenStore.createGrant(sampleGrant(client.clientId, { subject: `${psuId}-other` }));

    const { grants } = await admin.api.listGrants({ psuId, limit: 0 });
    expect(grants.map((grant) => grant.grantId)).toEqual([payment.grantId, older.grantId]);
    expect(grants[0]).toMatchObject({
      clientId: client.clientId,
      clientName: 'Example budgeting',
      scope: 'pisp',
      expiresAt: new Date(payment.expiresAt * 1000),
    });
    expect(grants[0]?.paymentSummary).toContain(PAYMENT_INITIATION_EXAMPLE.creditorName);
    expect(grants[0]?.paymentSummary).not.toContain(PAYMENT_INITIATION_EXAMPLE.creditorAccount.iban);
    expect(grants[1]?.paymentSummary).toBeUndefined();
  });

  it('withdraws a grant: inactive at once, audited with the PSU and the client; then NOT_FOUND', async () => {
    const { client } = await registry.registry.createClient(sampleClient());
    const psuId = `psu-withdraw-${Date.now()}`;
    const grant = sampleGrant(client.clientId, { subject: psuId });
    await admin.tokenStore.createGrant(grant);

    const withdrawn = await admin.api.withdrawGrant({
      grantId: grant.grantId,
      reason: 'customer called: ticket 4711',
    });
    expect(withdrawn).toEqual({ grantId: grant.grantId, clientId: client.clientId, psuId });
    expect(await admin.tokenStore.findGrant(grant.grantId)).toBeUndefined();
    await expect(admin.api.listGrants({ psuId, limit: 10 })).resolves.toEqual({ grants: [] });

    const actions = await operatorActionsFor(opened.database, { psuId });
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({
      action: 'withdraw_grant',
      grantId: grant.grantId,
      clientId: client.clientId,
      psuId,
      reason: 'customer called: ticket 4711',
    });
    await expect(codeOf(admin.api.withdrawGrant({ grantId: grant.grantId, reason: 'again' }))).resolves.toBe(
      status.NOT_FOUND,
    );
    await expect(codeOf(admin.api.withdrawGrant({ grantId: grant.grantId, reason: '' }))).resolves.toBe(
      status.INVALID_ARGUMENT,
    );
    await expect(codeOf(admin.api.listGrants({ psuId: '', limit: 0 }))).resolves.toBe(
      status.INVALID_ARGUMENT,
    );
  });

  it('answers UNAVAILABLE while the token store is down; the main API keeps serving', async () => {
    // Nothing listens on port 1: every Redis command fails at once.
    const down = await startAdminHarness(opened.database, {
      label: 'admin_grants_down',
      tokenStore: createRedisTokenStore({ url: 'redis://127.0.0.1:1', keyPrefix: 'never:' }),
    });
    try {
      await expect(codeOf(down.api.listGrants({ psuId: 'psu-1', limit: 1 }))).resolves.toBe(
        status.UNAVAILABLE,
      );
      await expect(codeOf(down.api.withdrawGrant({ grantId: 'g', reason: 'r' }))).resolves.toBe(
        status.UNAVAILABLE,
      );
      const input = sampleClient();
      await registry.registry.createClient(input);
      await expect(
        codeOf(down.api.suspendOrganisation({ organizationId: input.organizationId, reason: 'r' })),
      ).resolves.toBe(status.UNAVAILABLE);
      // Fail closed: the suspension is not recorded when its markers could not be written.
      await expect(
        operatorActionsFor(opened.database, { organizationId: input.organizationId }),
      ).resolves.toEqual([]);
      await expect(down.api.listClients({ pageSize: 1, pageToken: '' })).resolves.toBeDefined();
      await expect(registry.registry.createClient(sampleClient())).resolves.toBeDefined();
    } finally {
      await down.stop();
    }
  });
});
