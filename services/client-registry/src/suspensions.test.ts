import { describe, expect, it } from '@jest/globals';
import { OrganisationSuspendedError, type RegisteredClient } from '@psd2/client-registry-client';
import { eq } from 'drizzle-orm';
import { organisationSuspensions } from './db/schema.js';
import { operatorActionsFor } from './suspensions.js';
import { OPERATOR, useSuspensionBed } from './suspensions.test-support.js';
import { backends, sampleClient } from './test-support.js';

/*
 * Operator suspensions against a real registry server (gRPC), a real database and a real Redis token
 * store: what the services see of a client (GetClient), what they may still do, and which tokens stay
 * active.
 */

describe.each(backends)('operator suspensions on $name', (backend) => {
  const bed = useSuspensionBed(backend, `client_registry_suspensions_${backend.name.toLowerCase()}`);
  const { issued, organisationWith } = bed;

  it('suspends an organisation: its tokens are inactive, the registry says so, and other TPPs are untouched', async () => {
    const { organizationId, clients } = await organisationWith('aisp', 'pisp');
    const [aisp, pisp] = clients as [RegisteredClient, RegisteredClient];
    const other = (await organisationWith('aisp')).clients[0] as RegisteredClient;
    const tokens = [await issued(aisp), await issued(pisp, 'pisp')];
    const otherToken = await issued(other);

    const outcome = await bed.suspensions.suspend({
      organizationId,
      operator: OPERATOR,
      reason: 'ACPR withdrew',
    });
    expect(outcome).toEqual({ changed: true, clientIds: [aisp.clientId, pisp.clientId] });
    for (const token of tokens) expect(await token.active()).toBe(false);
    expect(await otherToken.active()).toBe(true);
    // Issued after the suspension (e.g. by a token service still holding a cached client): dead too.
    expect(await (await issued(aisp)).active()).toBe(false);

    expect((await bed.harness.registry.getClient(aisp.clientId, { fresh: true })).suspension).toEqual({
      organisationSuspended: true,
      suspendedRoles: [],
    });
    expect((await bed.harness.registry.getClient(other.clientId)).suspension?.organisationSuspended).toBe(
      false,
    );
    const [record] = await bed.suspensions.inForce(organizationId);
    expect(record).toMatchObject({
      organizationId,
      role: null,
      suspendedBy: OPERATOR,
      reason: 'ACPR withdrew',
    });
    expect(record?.reinstatement).toBeUndefined();
  });

  it('is idempotent, audits every attempt, and reinstates the clients but not their tokens', async () => {
    const { organizationId, clients } = await organisationWith('aisp');
    const client = clients[0] as RegisteredClient;
    const before = await issued(client);
    const request = { organizationId, operator: OPERATOR, reason: 'Authorisation withdrawn' };
    expect((await bed.suspensions.suspend(request)).changed).toBe(true);
    expect((await bed.suspensions.suspend(request)).changed).toBe(false);
    expect(await bed.suspensions.inForce(organizationId)).toHaveLength(1);

    const reinstatement = { ...request, reason: 'Authorisation restored on appeal' };
    expect(await bed.suspensions.reinstate(reinstatement)).toEqual({
      changed: true,
      clientIds: [client.clientId],
    });
    expect((await bed.suspensions.reinstate(reinstatement)).changed).toBe(false);
    expect(await before.active()).toBe(false);
    expect(await (await issued(client)).active()).toBe(true);
    expect((await bed.harness.registry.getClient(client.clientId, { fresh: true })).suspension).toEqual({
      organisationSuspended: false,
      suspendedRoles: [],
    });
    const [history] = await bed.suspensions.history(organizationId);
    expect(history?.reinstatement).toMatchObject({
      by: OPERATOR,
      reason: 'Authorisation restored on appeal',
    });
    expect(await bed.suspensions.inForce(organizationId)).toEqual([]);

    const actions = await operatorActionsFor(bed.database, { organizationId });
    expect(actions.map((action) => [action.action, action.details.changed])).toEqual([
      ['suspend_organisation', true],
      ['suspend_organisation', false],
      ['reinstate_organisation', true],
      ['reinstate_organisation', false],
    ]);
    expect(actions[0]).toMatchObject({ operator: OPERATOR, reason: 'Authorisation withdrawn', role: null });
    expect(actions[0]?.at.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('refuses registrations and changes of a suspended organisation, and accepts them once reinstated', async () => {
    const { organizationId, clients } = await organisationWith('aisp');
    const client = clients[0] as RegisteredClient;
    const request = { organizationId, operator: OPERATOR, reason: 'Suspended' };
    await bed.suspensions.suspend(request);
    const refusal = bed.harness.registry.createClient(sampleClient({ organizationId }));
    await expect(refusal).rejects.toBeInstanceOf(OrganisationSuspendedError);
    await expect(refusal).rejects.toMatchObject({ kind: 'organisation_suspended' });
    await expect(
      bed.harness.registry.replaceClient({
        clientId: client.clientId,
        expectedVersion: client.version,
        metadata: client.metadata,
        actor: { organizationId, certificateThumbprint: client.registeredCertificateThumbprint },
      }),
    ).rejects.toMatchObject({ kind: 'organisation_suspended' });

    await bed.suspensions.reinstate(request);
    await expect(bed.harness.registry.createClient(sampleClient({ organizationId }))).resolves.toBeDefined();
  });

  it("suspends one role: only its clients' tokens end, and only its scopes are refused from then on", async () => {
    const { organizationId, clients } = await organisationWith('aisp', 'aisp pisp');
    const [aispOnly, both] = clients as [RegisteredClient, RegisteredClient];
    const untouched = await issued(aispOnly);
    const ended = await issued(both);
    const request = {
      organizationId,
      role: 'PSP_PI' as const,
      operator: OPERATOR,
      reason: 'PI role withdrawn',
    };

    expect(await bed.suspensions.suspend(request)).toEqual({ changed: true, clientIds: [both.clientId] });
    expect(await untouched.active()).toBe(true);
    // The trade-off: every token of a client holding the role's scope ends, its aisp ones too...
    expect(await ended.active()).toBe(false);
    // ...but its other roles work again at once, while the suspended role's scope stays refused.
    expect(await (await issued(both, 'aisp')).active()).toBe(true);
    expect(await (await issued(both, 'pisp')).active()).toBe(false);
    expect((await bed.harness.registry.getClient(both.clientId, { fresh: true })).suspension).toEqual({
      organisationSuspended: false,
      suspendedRoles: ['PSP_PI'],
    });
    const pispRegistration = sampleClient({ organizationId });
    await expect(
      bed.harness.registry.createClient({
        ...pispRegistration,
        metadata: { ...pispRegistration.metadata, scope: 'pisp' },
      }),
    ).rejects.toMatchObject({ kind: 'role_suspended' });
    const aispRegistration = sampleClient({ organizationId });
    await expect(
      bed.harness.registry.createClient({
        ...aispRegistration,
        metadata: { ...aispRegistration.metadata, scope: 'aisp' },
      }),
    ).resolves.toBeDefined();

    // The whole organisation on top, then lifted: the role suspension still holds.
    await bed.suspensions.suspend({ organizationId, operator: OPERATOR, reason: 'All roles withdrawn' });
    expect(await (await issued(both, 'aisp')).active()).toBe(false);
    await bed.suspensions.reinstate({ organizationId, operator: OPERATOR, reason: 'AI role restored' });
    expect(await (await issued(both, 'aisp')).active()).toBe(true);
    expect(await (await issued(both, 'pisp')).active()).toBe(false);
    await bed.suspensions.reinstate(request);
    expect(await (await issued(both, 'pisp')).active()).toBe(true);

    // The aisp-only client was never refused pisp: once it registers pisp, its pisp tokens work.
    const aispToken = await issued(aispOnly, 'aisp');
    const widened = await bed.harness.registry.replaceClient({
      clientId: aispOnly.clientId,
      expectedVersion: aispOnly.version,
      metadata: { ...aispOnly.metadata, scope: 'aisp pisp' },
      actor: { organizationId, certificateThumbprint: aispOnly.registeredCertificateThumbprint },
    });
    expect(await (await issued(widened.client, 'pisp')).active()).toBe(true);
    expect(await aispToken.active()).toBe(true);
  });

  it('lets one of concurrent suspensions record the change, and keeps one row in force', async () => {
    const { organizationId } = await organisationWith('aisp');
    const request = { organizationId, operator: OPERATOR, reason: 'Concurrent' };
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => bed.suspensions.suspend(request)));
    expect(outcomes.filter((outcome) => outcome.changed)).toHaveLength(1);
    const rows = await bed.database.db
      .select()
      .from(organisationSuspensions)
      .where(eq(organisationSuspensions.organizationId, organizationId));
    expect(rows).toHaveLength(1);
  });
});
