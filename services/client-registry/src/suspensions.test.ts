import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type ClientRegistry,
  createClientRegistry,
  OrganisationSuspendedError,
  type RegisteredClient,
} from '@psd2/client-registry-client';
import { createIsolatedRedisPrefix, testRedisUrl } from '@psd2/testing';
import {
  type AccessTokenRecord,
  createRedisTokenStore,
  generateOpaqueToken,
  type TokenStore,
  TokenStoreUnavailableError,
} from '@psd2/token-store';
import { eq } from 'drizzle-orm';
import type { RegistryDatabase } from './db/database.js';
import { organisationSuspensions } from './db/schema.js';
import { RegistryError } from './errors.js';
import {
  createSuspensions,
  operatorActionsFor,
  recordOperatorAction,
  type Suspensions,
} from './suspensions.js';
import {
  backends,
  type Harness,
  type OpenDatabase,
  sampleClient,
  silentLogger,
  startHarness,
  thumbprint,
} from './test-support.js';

/*
 * Operator suspensions against a real registry server (gRPC), a real database and a real Redis token
 * store: what the services see of a client (GetClient), what they may still do, and which tokens stay
 * active.
 */

const OPERATOR = {
  subject: 'CN=Alice Martin,OU=PSD2 operations,O=Bank',
  certificateThumbprint: thumbprint('alice'),
};

function accessRecordOf(client: RegisteredClient, scope: string): AccessTokenRecord {
  const at = Math.floor(Date.now() / 1000);
  return {
    clientId: client.clientId,
    organizationId: client.organizationId,
    scope,
    issuedAt: at,
    expiresAt: at + 3600,
    certificateThumbprint: thumbprint('tpp-certificate'),
  };
}

describe.each(backends)('operator suspensions on $name', (backend) => {
  let opened: OpenDatabase;
  let database: RegistryDatabase;
  let harness: Harness;
  let tokenStore: TokenStore;
  let suspensions: Suspensions;

  beforeAll(async () => {
    opened = await backend.open(`client_registry_suspensions_${backend.name.toLowerCase()}`);
    database = opened.database;
    harness = await startHarness(database);
    tokenStore = createRedisTokenStore({
      url: testRedisUrl(),
      keyPrefix: createIsolatedRedisPrefix(`registry-suspensions-${backend.name}`),
    });
    suspensions = createSuspensions({ database, tokenStore, logger: silentLogger });
  }, 180_000);

  afterAll(async () => {
    await tokenStore?.close();
    await harness?.stop();
    await opened?.cleanup();
  });

  /** A token the token service would have issued to `client` now. */
  async function issued(client: RegisteredClient, scope = 'aisp') {
    const token = generateOpaqueToken();
    await tokenStore.saveAccessToken(token, accessRecordOf(client, scope));
    return { active: async () => (await tokenStore.findAccessToken(token)) !== undefined };
  }

  async function organisationWith(...scopes: string[]) {
    const organizationId = `PSDFR-ACPR-S${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
    const clients: RegisteredClient[] = [];
    for (const scope of scopes) {
      const { client } = await harness.registry.createClient(sampleClient({ organizationId }));
      const replaced = await harness.registry.replaceClient({
        clientId: client.clientId,
        expectedVersion: client.version,
        metadata: { ...client.metadata, scope },
        actor: { organizationId, certificateThumbprint: client.registeredCertificateThumbprint },
      });
      clients.push(replaced.client);
    }
    return { organizationId, clients };
  }

  it('suspends an organisation: its tokens are inactive, the registry says so, and other TPPs are untouched', async () => {
    const { organizationId, clients } = await organisationWith('aisp', 'pisp');
    const [aisp, pisp] = clients as [RegisteredClient, RegisteredClient];
    const other = (await organisationWith('aisp')).clients[0] as RegisteredClient;
    const tokens = [await issued(aisp), await issued(pisp, 'pisp')];
    const otherToken = await issued(other);

    const outcome = await suspensions.suspend({
      organizationId,
      operator: OPERATOR,
      reason: 'ACPR withdrew',
    });
    expect(outcome).toEqual({ changed: true, clientIds: [aisp.clientId, pisp.clientId] });
    for (const token of tokens) expect(await token.active()).toBe(false);
    expect(await otherToken.active()).toBe(true);
    // Issued after the suspension (e.g. by a token service still holding a cached client): dead too.
    expect(await (await issued(aisp)).active()).toBe(false);

    expect((await harness.registry.getClient(aisp.clientId, { fresh: true })).suspension).toEqual({
      organisationSuspended: true,
      suspendedRoles: [],
    });
    expect((await harness.registry.getClient(other.clientId)).suspension?.organisationSuspended).toBe(false);
    const [record] = await suspensions.inForce(organizationId);
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
    expect((await suspensions.suspend(request)).changed).toBe(true);
    expect((await suspensions.suspend(request)).changed).toBe(false);
    expect(await suspensions.inForce(organizationId)).toHaveLength(1);

    const reinstatement = { ...request, reason: 'Authorisation restored on appeal' };
    expect(await suspensions.reinstate(reinstatement)).toEqual({
      changed: true,
      clientIds: [client.clientId],
    });
    expect((await suspensions.reinstate(reinstatement)).changed).toBe(false);
    expect(await before.active()).toBe(false);
    expect(await (await issued(client)).active()).toBe(true);
    expect((await harness.registry.getClient(client.clientId, { fresh: true })).suspension).toEqual({
      organisationSuspended: false,
      suspendedRoles: [],
    });
    const [history] = await suspensions.history(organizationId);
    expect(history?.reinstatement).toMatchObject({
      by: OPERATOR,
      reason: 'Authorisation restored on appeal',
    });
    expect(await suspensions.inForce(organizationId)).toEqual([]);

    const actions = await operatorActionsFor(database, { organizationId });
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
    await suspensions.suspend(request);
    const refusal = harness.registry.createClient(sampleClient({ organizationId }));
    await expect(refusal).rejects.toBeInstanceOf(OrganisationSuspendedError);
    await expect(refusal).rejects.toMatchObject({ kind: 'organisation_suspended' });
    await expect(
      harness.registry.replaceClient({
        clientId: client.clientId,
        expectedVersion: client.version,
        metadata: client.metadata,
        actor: { organizationId, certificateThumbprint: client.registeredCertificateThumbprint },
      }),
    ).rejects.toMatchObject({ kind: 'organisation_suspended' });

    await suspensions.reinstate(request);
    await expect(harness.registry.createClient(sampleClient({ organizationId }))).resolves.toBeDefined();
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

    expect(await suspensions.suspend(request)).toEqual({ changed: true, clientIds: [both.clientId] });
    expect(await untouched.active()).toBe(true);
    // The trade-off: every token of a client holding the role's scope ends, its aisp ones too...
    expect(await ended.active()).toBe(false);
    // ...but its other roles work again at once, while the suspended role's scope stays refused.
    expect(await (await issued(both, 'aisp')).active()).toBe(true);
    expect(await (await issued(both, 'pisp')).active()).toBe(false);
    expect((await harness.registry.getClient(both.clientId, { fresh: true })).suspension).toEqual({
      organisationSuspended: false,
      suspendedRoles: ['PSP_PI'],
    });
    const pispRegistration = sampleClient({ organizationId });
    await expect(
      harness.registry.createClient({
        ...pispRegistration,
        metadata: { ...pispRegistration.metadata, scope: 'pisp' },
      }),
    ).rejects.toMatchObject({ kind: 'role_suspended' });
    const aispRegistration = sampleClient({ organizationId });
    await expect(
      harness.registry.createClient({
        ...aispRegistration,
        metadata: { ...aispRegistration.metadata, scope: 'aisp' },
      }),
    ).resolves.toBeDefined();

    // The whole organisation on top, then lifted: the role suspension still holds.
    await suspensions.suspend({ organizationId, operator: OPERATOR, reason: 'All roles withdrawn' });
    expect(await (await issued(both, 'aisp')).active()).toBe(false);
    await suspensions.reinstate({ organizationId, operator: OPERATOR, reason: 'AI role restored' });
    expect(await (await issued(both, 'aisp')).active()).toBe(true);
    expect(await (await issued(both, 'pisp')).active()).toBe(false);
    await suspensions.reinstate(request);
    expect(await (await issued(both, 'pisp')).active()).toBe(true);
  });

  it('lets one of concurrent suspensions record the change, and keeps one row in force', async () => {
    const { organizationId } = await organisationWith('aisp');
    const request = { organizationId, operator: OPERATOR, reason: 'Concurrent' };
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => suspensions.suspend(request)));
    expect(outcomes.filter((outcome) => outcome.changed)).toHaveLength(1);
    const rows = await database.db
      .select()
      .from(organisationSuspensions)
      .where(eq(organisationSuspensions.organizationId, organizationId));
    expect(rows).toHaveLength(1);
  });

  it('fails closed: with the token store down nothing is recorded, with the database down the tokens are dead', async () => {
    const { organizationId, clients } = await organisationWith('aisp');
    const client = clients[0] as RegisteredClient;
    const request = { organizationId, operator: OPERATOR, reason: 'Failing dependencies' };

    const storeDown = createSuspensions({
      database,
      tokenStore: {
        suspendClient: () => Promise.reject(new TokenStoreUnavailableError(new Error('ECONNREFUSED'))),
        reinstateClient: () => Promise.reject(new TokenStoreUnavailableError(new Error('ECONNREFUSED'))),
      },
      logger: silentLogger,
    });
    await expect(storeDown.suspend(request)).rejects.toMatchObject({ code: 'unavailable' });
    expect(await suspensions.inForce(organizationId)).toEqual([]);

    const token = await issued(client);
    let transactions = 0;
    const databaseFailsOnWrite = createSuspensions({
      database: {
        transaction: (work) => {
          transactions += 1;
          // The first transaction reads the organisation; the second would record the suspension.
          if (transactions === 2) return Promise.reject(new RegistryError('unavailable', 'database down'));
          return database.transaction(work);
        },
      },
      tokenStore,
      logger: silentLogger,
    });
    await expect(databaseFailsOnWrite.suspend(request)).rejects.toMatchObject({ code: 'unavailable' });
    expect(await token.active()).toBe(false);
    expect(await suspensions.inForce(organizationId)).toEqual([]);
    // The operator retries: now recorded.
    expect((await suspensions.suspend(request)).changed).toBe(true);
  });

  it('refuses a reason the audit trail must not hold, and an operator without a certificate', async () => {
    const organizationId = 'PSDFR-ACPR-REASONS';
    for (const reason of ['', '   ', 'x'.repeat(501), 'line one\nline two', 'bell\u0007', 'hidden\u202e']) {
      await expect(suspensions.suspend({ organizationId, operator: OPERATOR, reason })).rejects.toMatchObject(
        {
          code: 'invalid_argument',
        },
      );
    }
    await expect(
      suspensions.suspend({
        organizationId,
        operator: { subject: '', certificateThumbprint: '' },
        reason: 'Why',
      }),
    ).rejects.toBeInstanceOf(RegistryError);
    expect(await suspensions.history(organizationId)).toEqual([]);
    await expect(
      suspensions.suspend({ organizationId, operator: OPERATOR, reason: `${'é'.repeat(500)}` }),
    ).resolves.toMatchObject({ changed: true });
  });

  it('records other operator actions and finds them by organisation, client or customer', async () => {
    const organizationId = 'PSDFR-ACPR-ACTIONS';
    await recordOperatorAction(database, {
      operator: OPERATOR,
      action: 'withdraw_grant',
      reason: 'Customer asked at the branch',
      organizationId,
      clientId: 'client-of-actions',
      grantId: 'grant-1',
      psuId: 'psu-actions-1',
    });
    await recordOperatorAction(database, {
      operator: OPERATOR,
      action: 'withdraw_grant',
      reason: 'Second consent',
      organizationId,
      clientId: 'another-client',
      grantId: 'grant-2',
      psuId: 'psu-actions-2',
    });
    expect((await operatorActionsFor(database, { organizationId })).map((action) => action.grantId)).toEqual([
      'grant-1',
      'grant-2',
    ]);
    expect(await operatorActionsFor(database, { psuId: 'psu-actions-2' })).toEqual([
      expect.objectContaining({
        clientId: 'another-client',
        psuId: 'psu-actions-2',
        reason: 'Second consent',
      }),
    ]);
    expect(await operatorActionsFor(database, { clientId: 'client-of-actions', limit: 1 })).toHaveLength(1);
    await expect(
      recordOperatorAction(database, { operator: OPERATOR, action: 'withdraw_grant', reason: '' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('the services’ client cache during a suspension', () => {
  let opened: OpenDatabase;
  let harness: Harness;
  let cached: ClientRegistry;
  let tokenStore: TokenStore;

  beforeAll(async () => {
    opened = await backends[0].open('client_registry_suspension_cache');
    harness = await startHarness(opened.database);
    cached = createClientRegistry({
      address: harness.address,
      transport: { plaintext: true },
      cacheTtlMs: 5000,
    });
    tokenStore = createRedisTokenStore({
      url: testRedisUrl(),
      keyPrefix: createIsolatedRedisPrefix('registry-suspension-cache'),
    });
  });

  afterAll(async () => {
    cached?.close();
    await tokenStore?.close();
    await harness?.stop();
    await opened?.cleanup();
  });

  it('may still pass a cached client for up to 5 s, but whatever is issued to it then is inactive', async () => {
    const organizationId = 'PSDFR-ACPR-CACHED';
    const { client } = await harness.registry.createClient(sampleClient({ organizationId }));
    expect((await cached.getClient(client.clientId)).suspension?.organisationSuspended).toBe(false);

    const suspensions = createSuspensions({ database: opened.database, tokenStore, logger: silentLogger });
    await suspensions.suspend({ organizationId, operator: OPERATOR, reason: 'Cache window' });

    const stale = await cached.getClient(client.clientId);
    expect(stale.suspension?.organisationSuspended).toBe(false);
    const token = generateOpaqueToken();
    await tokenStore.saveAccessToken(token, accessRecordOf(stale, 'aisp'));
    expect(await tokenStore.findAccessToken(token)).toBeUndefined();
    expect((await cached.getClient(client.clientId, { fresh: true })).suspension?.organisationSuspended).toBe(
      true,
    );
  });
});
