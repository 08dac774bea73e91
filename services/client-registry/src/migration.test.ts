import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientAlreadyExistsError } from '@psd2/client-registry-client';
import { createIsolatedSchema, type IsolatedSchema } from '@psd2/testing';
import pg from 'pg';
import { connectPostgres, type RegistryDatabase } from './db/database.js';
import { migrateUpTo } from './migrations.test-support.js';
import { type Harness, sampleClient, startHarness, thumbprint } from './test-support.js';

/*
 * 0001 moves the metadata columns into one jsonb document. Rows written by the registry before it must
 * read back exactly as they did, and the one-active-software-per-organisation rule must still hold.
 */

const ORGANISATION = 'PSDFR-ACPR-MIGRATE';
const JWKS = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x-coordinate', y: 'y-coordinate' }] };

/** An old-shape row: one column per metadata field. */
async function insertOldRow(pool: pg.Pool, clientId: string, metadata: Record<string, unknown>) {
  await pool.query(
    `insert into clients (client_id, organization_id, organization_name, nca_id, roles, registered_subject_dn,
       registered_certificate_thumbprint, redirect_uris, grant_types, response_types, scope,
       token_endpoint_auth_method, tls_client_auth_subject_dn, client_name, client_name_localized, contacts,
       logo_uri, client_uri, policy_uri, tos_uri, jwks, jwks_uri, software_id, software_version, status,
       registration_access_token_sha256, created_at, updated_at, version)
     values ($1, $2, 'Migrating SAS', 'FR-ACPR', '{PSP_AI}', 'CN=old', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
       $13, $14, $15, $16, $17, $18, $19, $20, 'active', $21, now(), now(), 1)`,
    [
      clientId,
      ORGANISATION,
      thumbprint(clientId),
      metadata.redirectUris,
      metadata.grantTypes,
      metadata.responseTypes,
      metadata.scope ?? null,
      metadata.tokenEndpointAuthMethod ?? null,
      metadata.tlsClientAuthSubjectDn ?? null,
      metadata.clientName ?? null,
      JSON.stringify(metadata.clientNameLocalized ?? {}),
      metadata.contacts ?? [],
      metadata.logoUri ?? null,
      metadata.clientUri ?? null,
      metadata.policyUri ?? null,
      metadata.tosUri ?? null,
      metadata.jwks === undefined ? null : JSON.stringify(metadata.jwks),
      metadata.jwksUri ?? null,
      metadata.softwareId ?? null,
      metadata.softwareVersion ?? null,
      thumbprint(`token-of-${clientId}`),
    ],
  );
}

const complete = {
  redirectUris: ['https://old.example/cb', 'https://old.example/other'],
  grantTypes: ['authorization_code', 'refresh_token'],
  responseTypes: ['code'],
  scope: 'aisp',
  tokenEndpointAuthMethod: 'tls_client_auth',
  tlsClientAuthSubjectDn: 'CN=old,2.5.4.97=PSDFR-ACPR-MIGRATE',
  clientName: 'Old budget',
  clientNameLocalized: { fr: 'Ancien budget', 'en-GB': 'Old budget' },
  contacts: ['ops@old.example'],
  logoUri: 'https://old.example/logo.png',
  clientUri: 'https://old.example/',
  policyUri: 'https://old.example/privacy',
  tosUri: 'https://old.example/terms',
  jwks: JWKS,
  softwareId: 'old-software',
  softwareVersion: '0.9',
};
const minimal = { redirectUris: [], grantTypes: ['client_credentials'], responseTypes: [], scope: 'pisp' };

describe('migration 0001: metadata columns into one jsonb document', () => {
  let isolated: IsolatedSchema;
  let database: RegistryDatabase;
  let harness: Harness;

  beforeAll(async () => {
    isolated = await createIsolatedSchema('client_registry_migration');
    await migrateUpTo(isolated.url, isolated.schema, '0000_initial', async (pool) => {
      await insertOldRow(pool, 'old-complete-client', complete);
      await insertOldRow(pool, 'old-minimal-client', minimal);
    });
    database = connectPostgres({ url: isolated.url, migrationsSchema: isolated.schema, poolSize: 4 });
    await database.migrate();
    harness = await startHarness(database);
  });

  afterAll(async () => {
    await harness?.stop();
    await database?.close();
    await isolated?.drop();
  });

  it('keeps every field of a row written before it', async () => {
    const client = await harness.registry.getClient('old-complete-client');
    expect(client.metadata).toEqual(complete);
    expect(client).toMatchObject({ organizationId: ORGANISATION, roles: ['PSP_AI'], version: 1 });
  });

  it('leaves absent fields absent', async () => {
    const client = await harness.registry.getClient('old-minimal-client');
    expect(client.metadata).toEqual({ ...minimal, contacts: [], clientNameLocalized: {} });
    expect(client.metadata.clientName).toBeUndefined();
    expect(client.metadata.jwks).toBeUndefined();
  });

  it('reads rows written before 0002 (operator suspensions) as not suspended, and can suspend them', async () => {
    expect((await harness.registry.getClient('old-minimal-client')).suspension).toEqual({
      organisationSuspended: false,
      suspendedRoles: [],
    });
    const pool = new pg.Pool({ connectionString: isolated.url, max: 1 });
    try {
      await pool.query(
        `insert into organisation_suspensions (organization_id, role, suspended_at, suspended_by,
           suspended_by_thumbprint, reason) values ($1, 'PSP_PI', now(), 'CN=operator', $2, 'migration check')`,
        [ORGANISATION, thumbprint('operator')],
      );
      const read = await harness.registry.getClient('old-minimal-client', { fresh: true });
      expect(read.suspension).toEqual({ organisationSuspended: false, suspendedRoles: ['PSP_PI'] });
      await pool.query(
        `update organisation_suspensions set reinstated_at = now(), reinstated_by = 'CN=operator',
         reinstated_by_thumbprint = 'x', reinstatement_reason = 'done' where organization_id = $1`,
        [ORGANISATION],
      );
    } finally {
      await pool.end();
    }
  });

  it('still allows one active client per software and organisation', async () => {
    const again = sampleClient({ organizationId: ORGANISATION });
    const taken = { ...again, metadata: { ...again.metadata, softwareId: 'old-software' } };
    await expect(harness.registry.createClient(taken)).rejects.toBeInstanceOf(ClientAlreadyExistsError);
  });

  describe('while registry pods of the previous release still run', () => {
    let pool: pg.Pool;
    beforeAll(() => {
      pool = new pg.Pool({ connectionString: isolated.url, max: 1 });
    });
    afterAll(() => pool.end());

    it('gives a row they insert or update, column by column, its document', async () => {
      await insertOldRow(pool, 'old-release-insert', { ...minimal, clientName: 'Late' });
      expect((await harness.registry.getClient('old-release-insert')).metadata.clientName).toBe('Late');
      await pool.query(
        `update clients set client_name = 'Renamed', version = 2 where client_id = 'old-release-insert'`,
      );
      const read = await harness.registry.getClient('old-release-insert', { fresh: true });
      expect(read.metadata).toMatchObject({ clientName: 'Renamed', scope: 'pisp' });
    });

    it('fills the columns they read from the document this release writes', async () => {
      const input = sampleClient({ organizationId: ORGANISATION });
      const { client } = await harness.registry.createClient(input);
      const { rows } = await pool.query(
        'select redirect_uris, scope, client_name_localized, contacts, jwks, software_id from clients where client_id = $1',
        [client.clientId],
      );
      expect(rows[0]).toEqual({
        redirect_uris: input.metadata.redirectUris,
        scope: input.metadata.scope,
        client_name_localized: input.metadata.clientNameLocalized,
        contacts: input.metadata.contacts,
        jwks: input.metadata.jwks,
        software_id: input.metadata.softwareId,
      });
    });
  });

  it('is recorded as applied, so a second migrate changes nothing', async () => {
    await expect(database.migrate()).resolves.toBeUndefined();
    expect((await harness.registry.getClient('old-complete-client', { fresh: true })).metadata).toEqual(
      complete,
    );
  });
});
