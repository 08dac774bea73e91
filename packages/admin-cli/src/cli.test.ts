import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createIsolatedRedisPrefix,
  createIsolatedSchema,
  freePorts,
  type IsolatedSchema,
  repoRoot,
  type StartedProcess,
  startNodeProcess,
  testPki,
  testRedisUrl,
} from '@psd2/testing';

/*
 * The built CLI (`pnpm admin`) against a real registry process (PostgreSQL, Redis, the admin port with
 * the test PKI's operator CA): exit codes, --json and table output, usage errors, TLS refusals. What
 * the commands do to clients and tokens is proven in the registry's admin tests and the e2e test.
 */

const CLI = join(repoRoot, 'packages', 'admin-cli', 'dist', 'cli.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let registry: StartedProcess;
let database: IsolatedSchema;
let env: Record<string, string>;
let untrustedEnv: Record<string, string>;

function admin(args: readonly string[], extraEnv: Record<string, string> = env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      // Only what the CLI reads: no inherited ADMIN_* from the developer's shell.
      { env: { PATH: process.env.PATH ?? '', ...extraEnv }, timeout: 20_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? -1), stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  const pki = (await testPki()).operators;
  database = await createIsolatedSchema('admin_cli');
  const [port, adminPort] = await freePorts(2);
  registry = startNodeProcess({
    cwd: join(repoRoot, 'services', 'client-registry'),
    args: ['dist/main.js'],
    env: {
      OTEL_SDK_DISABLED: 'true',
      PORT: String(port),
      REGISTRY_PLAINTEXT: 'true',
      DATABASE_URL: database.url,
      MIGRATE_ON_START: 'true',
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: createIsolatedRedisPrefix('admin_cli'),
      ADMIN_PORT: String(adminPort),
      ADMIN_TLS_CERT_FILE: pki.server.cert,
      ADMIN_TLS_KEY_FILE: pki.server.key,
      ADMIN_CLIENT_CA_FILE: pki.ca.cert,
    },
  });
  await registry.waitForOutput('client registry listening', 30_000);
  env = {
    ADMIN_ADDRESS: `127.0.0.1:${adminPort}`,
    ADMIN_CERT_FILE: pki.operator.cert,
    ADMIN_KEY_FILE: pki.operator.key,
    ADMIN_CA_FILE: pki.ca.cert,
  };
  untrustedEnv = {
    ...env,
    ADMIN_CERT_FILE: pki.untrustedOperator.cert,
    ADMIN_KEY_FILE: pki.untrustedOperator.key,
  };
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  await database?.drop();
});

describe('pnpm admin', () => {
  it('suspends and reinstates an organisation: exit 0, --json and a sentence for a person', async () => {
    const suspended = await admin([
      'suspend-organisation',
      'PSDFR-ACPR-CLI01',
      '--reason',
      'NCA decision 42',
      '--json',
    ]);
    expect(suspended).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(suspended.stdout)).toEqual({
      organizationId: 'PSDFR-ACPR-CLI01',
      changed: true,
      clientIds: [],
    });
    const again = await admin(['suspend-organisation', 'PSDFR-ACPR-CLI01', '--reason', 'again']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already suspended; nothing changed');

    const role = await admin([
      'suspend-organisation',
      'PSDFR-ACPR-CLI01',
      '--role',
      'PSP_PI',
      '--reason',
      'PI only',
    ]);
    expect(role.stdout).toContain('PSDFR-ACPR-CLI01 role PSP_PI suspended');

    const reinstated = await admin(['reinstate-organisation', 'PSDFR-ACPR-CLI01', '--reason', 'annulled']);
    expect(reinstated).toMatchObject({ code: 0 });
    expect(reinstated.stdout).toContain('PSDFR-ACPR-CLI01 reinstated');
  });

  it('lists clients and grants as tables or JSON', async () => {
    const table = await admin(['list-clients']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^client id\s+organisation\s+name\s+status\s+suspension\s+created$/,
    );
    const grants = await admin(['list-grants', '--psu', 'psu-nobody', '--json']);
    expect(grants.code).toBe(0);
    expect(JSON.parse(grants.stdout)).toEqual({ grants: [] });
  });

  it('exit 1 with the reason for a refusal or something not found', async () => {
    const unknown = await admin(['show-client', 'no-such-client']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toBe('admin: refused: no client, active or deleted, has this client_id\n');
    const grant = await admin(['withdraw-grant', 'no-such-grant', '--reason', 'customer asked']);
    expect(grant.code).toBe(1);
    expect(grant.stderr).toContain('no active grant');
    const longReason = await admin(['suspend-organisation', 'PSDFR-ACPR-CLI02', '--reason', 'x'.repeat(501)]);
    expect(longReason.code).toBe(1);
    expect(longReason.stderr).toContain('reason');
  });

  it('exit 2 for a usage error, before connecting', async () => {
    for (const args of [
      [],
      ['frobnicate'],
      ['suspend-organisation', 'PSDFR-ACPR-CLI03'],
      ['suspend-organisation', 'PSDFR-ACPR-CLI03', '--role', 'PSP_AS', '--reason', 'r'],
      ['list-grants'],
      ['list-grants', '--psu', 'p', '--limit', '0'],
      ['show-client'],
      ['list-clients', '--reason', 'r'],
      ['withdraw-grant', 'g'],
    ]) {
      const run = await admin(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(
        /^(admin: .+\(pnpm admin --help lists the commands\)|usage: pnpm admin[\s\S]*)\n$/,
      );
    }
    const help = await admin(['--help'], {});
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('exit codes: 0 ok, 1 refused or not found, 2 usage, 3 unavailable');
    const noSettings = await admin(['list-clients'], {});
    expect(noSettings.code).toBe(2);
    expect(noSettings.stderr).toBe(
      'admin: set ADMIN_ADDRESS (or --address) (pnpm admin --help lists the commands)\n',
    );
    const missingFile = await admin(['list-clients'], { ...env, ADMIN_CERT_FILE: '/nonexistent.crt' });
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toContain('cannot read ADMIN_CERT_FILE');
  });

  it('exit 3 when the TLS handshake refuses the certificate or nothing answers; one line, no stack', async () => {
    const untrusted = await admin(['list-clients'], untrustedEnv);
    expect(untrusted.code).toBe(3);
    expect(untrusted.stderr).toMatch(/^admin: unavailable: .+ \(check ADMIN_ADDRESS, .+\)\n$/);
    const [closed] = await freePorts(1);
    const nowhere = await admin(['list-clients'], { ...env, ADMIN_ADDRESS: `127.0.0.1:${closed}` });
    expect(nowhere.code).toBe(3);
    expect(nowhere.stderr).not.toContain('    at ');
  });
});
