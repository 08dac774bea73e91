import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig, pushedAuthorizationRequired } from '@psd2/config';
import { repoRoot, serviceTlsEnv, startNodeProcess, testPki } from '@psd2/testing';
import { configSchema } from './config.js';

/** The configuration a bank deployment gives, apart from what a test varies. */
const BANK = { DEPLOYMENT_MODE: 'bank', REDIS_URL: 'redis://127.0.0.1:6379' };

function issuesOf(source: Record<string, string>): readonly { variable: string }[] {
  try {
    parseConfig(configSchema, source);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
}

describe('token service configuration', () => {
  it('defaults to refresh tokens without rotation and a 60 s grace window for when rotation is on', () => {
    expect(parseConfig(configSchema, { DEPLOYMENT_MODE: 'sandbox' })).toMatchObject({
      REFRESH_TOKEN_ROTATION: false,
      REFRESH_TOKEN_REUSE_GRACE_SECONDS: 60,
      INTROSPECTION_ALLOWED_ORGANIZATIONS: [],
    });
    expect(
      parseConfig(configSchema, {
        DEPLOYMENT_MODE: 'sandbox',
        REFRESH_TOKEN_ROTATION: 'true',
        REFRESH_TOKEN_REUSE_GRACE_SECONDS: '0',
      }),
    ).toMatchObject({ REFRESH_TOKEN_ROTATION: true, REFRESH_TOKEN_REUSE_GRACE_SECONDS: 0 });
    expect(issuesOf({ DEPLOYMENT_MODE: 'sandbox', REFRESH_TOKEN_REUSE_GRACE_SECONDS: '-1' })).toEqual([
      expect.objectContaining({ variable: 'REFRESH_TOKEN_REUSE_GRACE_SECONDS' }),
    ]);
  });

  it('takes the internal listener URL for introspection, https only, and none by default', () => {
    expect(parseConfig(configSchema, { DEPLOYMENT_MODE: 'sandbox' }).INTROSPECTION_ENDPOINT).toBeUndefined();
    const internal = 'https://edge-internal.psd2-auth.svc:8444/oauth2/introspect';
    expect(
      parseConfig(configSchema, { DEPLOYMENT_MODE: 'sandbox', INTROSPECTION_ENDPOINT: internal })
        .INTROSPECTION_ENDPOINT?.href,
    ).toBe(internal);
    expect(
      issuesOf({
        DEPLOYMENT_MODE: 'sandbox',
        INTROSPECTION_ENDPOINT: 'http://edge-internal:8444/oauth2/introspect',
      }),
    ).toEqual([expect.objectContaining({ variable: 'INTROSPECTION_ENDPOINT' })]);
  });

  it('requires the introspection allow-list in bank mode, and only there', () => {
    expect(issuesOf(BANK)).toEqual([
      {
        variable: 'INTROSPECTION_ALLOWED_ORGANIZATIONS',
        message: expect.stringMatching(/^is required in bank mode/),
      },
    ]);
    expect(issuesOf({ ...BANK, INTROSPECTION_ALLOWED_ORGANIZATIONS: ' , ' })).toHaveLength(1);
    expect(
      parseConfig(configSchema, {
        ...BANK,
        INTROSPECTION_ALLOWED_ORGANIZATIONS: 'PSDFR-ACPR-10000, PSDFR-ACPR-10001',
      }).INTROSPECTION_ALLOWED_ORGANIZATIONS,
    ).toEqual(['PSDFR-ACPR-10000', 'PSDFR-ACPR-10001']);
    expect(issuesOf({ DEPLOYMENT_MODE: 'sandbox' })).toEqual([]);
  });

  it('stops the service in bank mode without the list, with one line naming the variable (exit 78)', async () => {
    const started = startNodeProcess({
      cwd: join(repoRoot, 'services', 'token'),
      args: ['--import', '@psd2/telemetry/register', 'dist/main.js'],
      env: { ...BANK, ...serviceTlsEnv(await testPki(), 'token'), OTEL_SDK_DISABLED: 'true' },
    });
    const exit = await started.exited;
    expect(exit.code).toBe(78);
    expect(started.output().trim().split('\n')).toEqual([
      expect.stringMatching(
        /^token: configuration error: INTROSPECTION_ALLOWED_ORGANIZATIONS is required in bank mode/,
      ),
    ]);
  });
});

describe('payment consent settings', () => {
  const SANDBOX = { DEPLOYMENT_MODE: 'sandbox' };

  it('gives the token of one payment 5 minutes by default, from 1 minute to 1 hour', () => {
    expect(parseConfig(configSchema, SANDBOX).PAYMENT_ACCESS_TOKEN_TTL_SECONDS).toBe(300);
    expect(
      parseConfig(configSchema, { ...SANDBOX, PAYMENT_ACCESS_TOKEN_TTL_SECONDS: '60' })
        .PAYMENT_ACCESS_TOKEN_TTL_SECONDS,
    ).toBe(60);
    for (const value of ['59', '3601', 'five'])
      expect(issuesOf({ ...SANDBOX, PAYMENT_ACCESS_TOKEN_TTL_SECONDS: value })).toEqual([
        expect.objectContaining({ variable: 'PAYMENT_ACCESS_TOKEN_TTL_SECONDS' }),
      ]);
  });

  it('advertises PAR as required in bank mode unless PAR_REQUIRED says otherwise, and not in the sandbox', () => {
    const bank = { ...BANK, INTROSPECTION_ALLOWED_ORGANIZATIONS: 'PSDFR-ACPR-10000' };
    const required = (source: Record<string, string>) =>
      pushedAuthorizationRequired(parseConfig(configSchema, source));
    expect(required(bank)).toBe(true);
    expect(required({ ...bank, PAR_REQUIRED: 'false' })).toBe(false);
    expect(required(SANDBOX)).toBe(false);
    expect(required({ ...SANDBOX, PAR_REQUIRED: 'true' })).toBe(true);
    expect(issuesOf({ ...SANDBOX, PAR_REQUIRED: 'maybe' })).toEqual([
      expect.objectContaining({ variable: 'PAR_REQUIRED' }),
    ]);
  });
});

// The shared-state rules themselves are tested once, in packages/token-store/src/settings.test.ts.
describe('token configuration', () => {
  it('runs as a bank when DEPLOYMENT_MODE is unset, which requires REDIS_URL', () => {
    const list = { INTROSPECTION_ALLOWED_ORGANIZATIONS: 'PSDFR-ACPR-10000' };
    expect(parseConfig(configSchema, { ...list, REDIS_URL: 'redis://127.0.0.1:6379' }).DEPLOYMENT_MODE).toBe(
      'bank',
    );
    expect(issuesOf(list)).toEqual([expect.objectContaining({ variable: 'REDIS_URL' })]);
    expect(issuesOf({})).toEqual([
      expect.objectContaining({ variable: 'REDIS_URL' }),
      expect.objectContaining({ variable: 'INTROSPECTION_ALLOWED_ORGANIZATIONS' }),
    ]);
  });
});
