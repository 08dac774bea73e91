import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SuspendableRole } from '@psd2/admin-proto';
import { generateOpaqueToken } from '@psd2/token-store';
import { operatorActionsFor } from '../suspensions.js';
import {
  actorOf,
  type Harness,
  type OpenDatabase,
  postgresBackend,
  sampleClient,
  startHarness,
  thumbprint,
} from '../test-support.js';
import { type AdminHarness, sampleGrant, startAdminHarness } from './test-support.js';

/*
 * The admin API against real PostgreSQL and Redis: only operator certificates get in, each mutating
 * call is audited with who (certificate subject and thumbprint), when and why, and suspending an
 * organisation makes its tokens inactive at once.
 */

let opened: OpenDatabase;
let registry: Harness;
let admin: AdminHarness;

beforeAll(async () => {
  opened = await postgresBackend.open('admin_suspensions');
  registry = await startHarness(opened.database);
  admin = await startAdminHarness(opened.database, { label: 'admin_suspensions' });
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

/** The demo operator as the audit trail must name it. */
function operatorIdentity() {
  const pem = readFileSync(admin.pki.operator.cert, 'utf8');
  const certificate = new X509Certificate(pem);
  return {
    thumbprint: createHash('sha256').update(certificate.raw).digest('base64url'),
    commonName: 'CN=Demo Operator',
  };
}

describe('the admin API', () => {
  it('refuses at the TLS handshake a certificate from another CA, and a caller with none', async () => {
    await expect(
      codeOf(admin.connect('untrusted').listClients({ pageSize: 1, pageToken: '' })),
    ).resolves.toBe(status.UNAVAILABLE);
    await expect(codeOf(admin.connect('none').listClients({ pageSize: 1, pageToken: '' }))).resolves.toBe(
      status.UNAVAILABLE,
    );
    await expect(admin.api.listClients({ pageSize: 1, pageToken: '' })).resolves.toBeDefined();
  });

  it('suspends an organisation: its tokens inactive at once, audited with who, when and why; idempotent', async () => {
    const input = sampleClient();
    const first = await registry.registry.createClient(input);
    const second = await registry.registry.createClient(
      sampleClient({ organizationId: input.organizationId }),
    );
    const grant = sampleGrant(first.client.clientId, { organizationId: input.organizationId });
    await admin.tokenStore.createGrant(grant);
    const accessToken = generateOpaqueToken();
    await admin.tokenStore.saveAccessToken(accessToken, {
      clientId: grant.clientId,
      organizationId: grant.organizationId,
      scope: grant.scope,
      subject: grant.subject,
      grantId: grant.grantId,
      issuedAt: grant.createdAt,
      expiresAt: grant.createdAt + 600,
      certificateThumbprint: thumbprint(),
    });
    expect(await admin.tokenStore.findAccessToken(accessToken)).toBeDefined();

    const before = Date.now();
    const outcome = await admin.api.suspendOrganisation({
      organizationId: input.organizationId,
      reason: 'ACPR withdrew the authorisation (decision 2026-123)',
    });
    expect(outcome.changed).toBe(true);
    expect([...outcome.clientIds].sort()).toEqual([first.client.clientId, second.client.clientId].sort());
    expect(await admin.tokenStore.findAccessToken(accessToken)).toBeUndefined();
    expect(await admin.tokenStore.findGrant(grant.grantId)).toBeUndefined();

    const again = await admin.api.suspendOrganisation({
      organizationId: input.organizationId,
      reason: 'again',
    });
    expect(again.changed).toBe(false);

    const [action] = await operatorActionsFor(opened.database, { organizationId: input.organizationId });
    const operator = operatorIdentity();
    expect(action).toMatchObject({
      action: 'suspend_organisation',
      reason: 'ACPR withdrew the authorisation (decision 2026-123)',
      organizationId: input.organizationId,
      operator: { certificateThumbprint: operator.thumbprint },
    });
    expect(action?.operator.subject).toContain(operator.commonName);
    expect(action?.at.getTime()).toBeGreaterThanOrEqual(before - 1000);

    const listed = await admin.api.listClients({
      organizationId: input.organizationId,
      pageSize: 0,
      pageToken: '',
    });
    expect(listed.clients.map((client) => client.organisationSuspended)).toEqual([true, true]);

    const reinstated = await admin.api.reinstateOrganisation({
      organizationId: input.organizationId,
      reason: 'ACPR decision annulled',
    });
    expect(reinstated.changed).toBe(true);
    // Reinstating restores the clients, not their tokens.
    expect(await admin.tokenStore.findAccessToken(accessToken)).toBeUndefined();
    const shown = await admin.api.showClient(first.client.clientId);
    expect(shown.client?.organisationSuspended).toBe(false);
    expect(shown.audit.map((entry) => entry.action)).toEqual(['create']);
    expect(shown.suspensions).toHaveLength(1);
    expect(shown.suspensions[0]).toMatchObject({
      reason: 'ACPR withdrew the authorisation (decision 2026-123)',
      reinstatementReason: 'ACPR decision annulled',
    });
    expect(shown.operatorActions.map((entry) => entry.action)).toEqual([
      'suspend_organisation',
      'suspend_organisation',
      'reinstate_organisation',
    ]);
    expect(shown.operatorActions[2]?.operatorCertificateThumbprint).toBe(operator.thumbprint);
  });

  it('suspends one role: listed as such, the rest of the organisation not suspended', async () => {
    const input = sampleClient();
    await registry.registry.createClient(input);
    const outcome = await admin.api.suspendOrganisation({
      organizationId: input.organizationId,
      role: SuspendableRole.SUSPENDABLE_ROLE_PSP_PI,
      reason: 'PSP_PI role withdrawn',
    });
    expect(outcome.changed).toBe(true);
    const { clients } = await admin.api.listClients({
      organizationId: input.organizationId,
      pageSize: 10,
      pageToken: '',
    });
    expect(clients[0]).toMatchObject({
      organisationSuspended: false,
      suspendedRoles: [SuspendableRole.SUSPENDABLE_ROLE_PSP_PI],
    });
    const nothing = await admin.api.reinstateOrganisation({
      organizationId: input.organizationId,
      reason: 'no whole-organisation suspension to end',
    });
    expect(nothing.changed).toBe(false);
  });

  it('shows a deleted client with its whole trail, and NOT_FOUND for an unknown one', async () => {
    const input = sampleClient();
    const created = await registry.registry.createClient(input);
    await registry.registry.deleteClient({ clientId: created.client.clientId, actor: actorOf(input) });
    const shown = await admin.api.showClient(created.client.clientId);
    expect(shown.client?.status).toBe('deleted');
    expect(shown.audit.map((entry) => entry.action)).toEqual(['create', 'delete']);
    expect(JSON.parse(shown.metadataJson)).toMatchObject({ client_name: 'Example budgeting' });
    await expect(codeOf(admin.api.showClient('no-such-client'))).resolves.toBe(status.NOT_FOUND);
  });

  it('refuses a mutating call without a proper reason, or with a bad role, INVALID_ARGUMENT', async () => {
    const organizationId = sampleClient().organizationId;
    for (const reason of ['', '   ', 'line\nbreak', 'x'.repeat(501)]) {
      await expect(codeOf(admin.api.suspendOrganisation({ organizationId, reason }))).resolves.toBe(
        status.INVALID_ARGUMENT,
      );
    }
    await expect(
      codeOf(
        admin.api.suspendOrganisation({
          organizationId,
          role: SuspendableRole.SUSPENDABLE_ROLE_UNSPECIFIED,
          reason: 'why',
        }),
      ),
    ).resolves.toBe(status.INVALID_ARGUMENT);
    await expect(codeOf(admin.api.suspendOrganisation({ organizationId: '', reason: 'why' }))).resolves.toBe(
      status.INVALID_ARGUMENT,
    );
    await expect(operatorActionsFor(opened.database, { organizationId })).resolves.toEqual([]);
  });

  it("pages through every organisation's clients", async () => {
    const first = await admin.api.listClients({ pageSize: 1, pageToken: '' });
    expect(first.clients).toHaveLength(1);
    expect(first.nextPageToken).not.toBe('');
    const second = await admin.api.listClients({ pageSize: 1, pageToken: first.nextPageToken });
    expect(second.clients[0]?.clientId).not.toBe(first.clients[0]?.clientId);
    await expect(codeOf(admin.api.listClients({ pageSize: 1, pageToken: 'garbage' }))).resolves.toBe(
      status.INVALID_ARGUMENT,
    );
  });
});
