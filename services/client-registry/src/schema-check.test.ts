import { ServerCredentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkGrpcHealth } from '@psd2/grpc-server';
import { capturingLogger, createIsolatedSchema, type IsolatedSchema } from '@psd2/testing';
import { connectPostgres, type RegistryDatabase } from './db/database.js';
import { migrateUpTo } from './migrations.test-support.js';
import { migrationsOfThisBuild, schemaBehindReason } from './schema-check.js';
import { type RunningRegistryServer, startRegistryServer } from './server.js';
import { REGISTRY_SERVICE_NAME } from './service.js';
import { eventually } from './test-support.js';

/*
 * A registry whose database's schema is behind its build (the migration Job has not run yet) reports
 * NOT_SERVING, says why in one log line, and turns SERVING once the migrations are applied, no restart.
 */

const BEHIND =
  'database schema is behind this build: applied 0001_metadata_document, needs 0002_suspensions; run the migrate job (client-registry dist/migrate.js)';

describe('schemaBehindReason', () => {
  const migrations = [
    { tag: '0000_a', when: 10 },
    { tag: '0001_b', when: 20 },
  ];

  it('names the last applied and the needed migration, or none applied', () => {
    expect(schemaBehindReason(migrations, undefined)).toMatch(/applied none, needs 0001_b;/);
    expect(schemaBehindReason(migrations, 10)).toMatch(/applied 0000_a, needs 0001_b;/);
    expect(schemaBehindReason(migrations, 20)).toBeUndefined();
    // A database ahead of this build (a newer version migrated it) can still serve this one.
    expect(schemaBehindReason(migrations, 30)).toBeUndefined();
  });

  it('reads this build’s migrations from the committed journal', () => {
    expect(migrationsOfThisBuild().map((entry) => entry.tag)).toContain('0002_suspensions');
  });
});

describe('registry health with its schema behind (PostgreSQL)', () => {
  let isolated: IsolatedSchema;
  let database: RegistryDatabase;
  let server: RunningRegistryServer;
  const { logger, lines } = capturingLogger('schema-check-test');

  beforeAll(async () => {
    isolated = await createIsolatedSchema('client_registry_schema_check');
    await migrateUpTo(isolated.url, isolated.schema, '0001_metadata_document');
    database = connectPostgres({ url: isolated.url, migrationsSchema: isolated.schema, poolSize: 4 });
    server = await startRegistryServer({
      host: '127.0.0.1',
      port: 0,
      credentials: ServerCredentials.createInsecure(),
      database,
      logger,
      healthIntervalMs: 100,
    });
  });

  afterAll(async () => {
    await server?.shutdown(0);
    await database?.close();
    await isolated?.drop();
  });

  it('is NOT_SERVING with one line saying why, then SERVING once migrated', async () => {
    const address = `127.0.0.1:${server.port}`;
    expect(await checkGrpcHealth(address)).toBe('NOT_SERVING');
    expect(await checkGrpcHealth(address, { service: REGISTRY_SERVICE_NAME })).toBe('NOT_SERVING');
    // Several checks later, still one line.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(lines.filter((line) => line.msg === BEHIND)).toEqual([
      expect.objectContaining({ level: 'error' }),
    ]);

    await database.migrate();
    await eventually(async () => (await checkGrpcHealth(address)) === 'SERVING');
    expect(await checkGrpcHealth(address, { service: REGISTRY_SERVICE_NAME })).toBe('SERVING');
  });
});
