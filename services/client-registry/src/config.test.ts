import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '@psd2/config';
import { registryConfigSchema } from './config.js';

describe('registryConfigSchema', () => {
  it('runs as a bank by default: DATABASE_URL is required, and named when missing', () => {
    expect(() => parseConfig(registryConfigSchema, {})).toThrow(
      'DATABASE_URL is required when DEPLOYMENT_MODE is bank',
    );
    const config = parseConfig(registryConfigSchema, {
      DATABASE_URL: 'postgres://registry@db:5432/registry',
    });
    expect(config.DEPLOYMENT_MODE).toBe('bank');
  });

  it('in sandbox mode defaults to a laptop: port 50051 on loopback, PGlite, no plaintext unless asked', () => {
    const config = parseConfig(registryConfigSchema, { DEPLOYMENT_MODE: 'sandbox' });
    expect(config).toMatchObject({
      PORT: 50051,
      HOST: '127.0.0.1',
      PGLITE_DATA_DIR: '.local/pglite/client-registry',
      MIGRATE_ON_START: false,
      REGISTRY_PLAINTEXT: false,
      MAX_CALL_MS: 10_000,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REGISTRY_TLS_CERT_FILE).toBeUndefined();
  });

  it('reads PostgreSQL, TLS files and flags', () => {
    const config = parseConfig(registryConfigSchema, {
      DATABASE_URL: 'postgres://registry@db:5432/registry',
      REGISTRY_TLS_CERT_FILE: '/tls/tls.crt',
      REGISTRY_TLS_KEY_FILE: '/tls/tls.key',
      REGISTRY_TLS_CA_FILE: '/tls/ca.crt',
      MIGRATE_ON_START: 'true',
    });
    expect(config.DATABASE_URL?.host).toBe('db:5432');
    expect(config.REGISTRY_TLS_CA_FILE).toBe('/tls/ca.crt');
    expect(config.MIGRATE_ON_START).toBe(true);
  });

  it('refuses a DATABASE_URL that is not PostgreSQL', () => {
    expect(() =>
      parseConfig(registryConfigSchema, { DEPLOYMENT_MODE: 'sandbox', DATABASE_URL: 'mysql://db/registry' }),
    ).toThrow('DATABASE_URL');
  });

  it('keeps the admin API off unless its three files are set, and names each one missing', () => {
    const sandbox = { DEPLOYMENT_MODE: 'sandbox' };
    const off = parseConfig(registryConfigSchema, sandbox);
    expect(off.ADMIN_TLS_CERT_FILE).toBeUndefined();
    expect(off.ADMIN_PORT).toBe(50053);
    expect(() =>
      parseConfig(registryConfigSchema, { ...sandbox, ADMIN_TLS_CERT_FILE: '/admin/tls.crt' }),
    ).toThrow(/ADMIN_TLS_KEY_FILE is required[\s\S]*ADMIN_CLIENT_CA_FILE is required/);
    const on = parseConfig(registryConfigSchema, {
      ...sandbox,
      ADMIN_TLS_CERT_FILE: '/admin/tls.crt',
      ADMIN_TLS_KEY_FILE: '/admin/tls.key',
      ADMIN_CLIENT_CA_FILE: '/admin/operator-ca.crt',
      ADMIN_PORT: '50060',
    });
    expect(on.ADMIN_PORT).toBe(50060);
  });

  it('in bank mode requires REDIS_URL with the admin API on (its suspensions and grants), not without', () => {
    const bank = { DATABASE_URL: 'postgres://registry@db:5432/registry' };
    expect(() => parseConfig(registryConfigSchema, bank)).not.toThrow();
    const admin = {
      ...bank,
      ADMIN_TLS_CERT_FILE: '/admin/tls.crt',
      ADMIN_TLS_KEY_FILE: '/admin/tls.key',
      ADMIN_CLIENT_CA_FILE: '/admin/operator-ca.crt',
    };
    expect(() => parseConfig(registryConfigSchema, admin)).toThrow('REDIS_URL is required');
    expect(
      parseConfig(registryConfigSchema, { ...admin, REDIS_URL: 'redis://redis:6379' }).REDIS_URL?.host,
    ).toBe('redis:6379');
  });
});
