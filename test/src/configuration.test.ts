import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createIsolatedSchema, repoRoot, serviceTlsEnv, startNodeProcess, testPki } from '@psd2/testing';

const HTTP_SERVICES = ['registration', 'authorization', 'token', 'revocation'] as const;

type HttpServiceName = (typeof HTTP_SERVICES)[number];

/** The service with its TLS files from the test PKI (every service requires them), then `env`. */
async function startService(service: HttpServiceName, env: Record<string, string>) {
  return startNodeProcess({
    cwd: join(repoRoot, 'services', service),
    args: ['--import', '@psd2/telemetry/register', 'dist/main.js'],
    env: { OTEL_SDK_DISABLED: 'true', ...serviceTlsEnv(await testPki(), service), ...env },
  });
}

describe('the TLS files a service listens with', () => {
  it.each(HTTP_SERVICES)('stop %s with a line naming each missing variable or file', async (service) => {
    const started = await startService(service, {
      TLS_KEY_FILE: '',
      EDGE_PEER_CA_FILE: '/nonexistent/ca.crt',
    });
    expect((await started.exited).code).toBe(78);
    expect(started.output().trim().split('\n')).toEqual([
      `${service}: configuration error: TLS_KEY_FILE is required: a readable file`,
      `${service}: configuration error: EDGE_PEER_CA_FILE must be a readable file`,
    ]);
  });

  it("stop a service with one line when the key is not the certificate's", async () => {
    const pki = await testPki();
    const started = await startService('revocation', {
      DEPLOYMENT_MODE: 'sandbox',
      REDIS_URL: '',
      TLS_KEY_FILE: pki.internal.services.token.key,
    });
    expect((await started.exited).code).toBe(1);
    expect(started.output()).toMatch(
      /^revocation: could not start: TLS_CERT_FILE and TLS_KEY_FILE do not make a TLS server identity \(.+\)$/m,
    );
  });
});

describe('a bad configuration value', () => {
  it.each(HTTP_SERVICES)('stops the %s service with one line naming the variable', async (service) => {
    const started = await startService(service, { PORT: 'abc' });
    const exit = await started.exited;
    expect(exit.code).toBe(78);
    const lines = started.output().trim().split('\n');
    expect(lines).toEqual([`${service}: configuration error: PORT must be an integer from 1 to 65535`]);
  });
});

describe('a service started without DEPLOYMENT_MODE', () => {
  it.each(HTTP_SERVICES)('runs %s as a bank, which refuses to start without REDIS_URL', async (service) => {
    // Empty counts as unset (parseConfig); whatever the test runner's environment holds is cleared.
    const started = await startService(service, {
      DEPLOYMENT_MODE: '',
      REDIS_URL: '',
      TOKEN_STORE_URL: '',
      TOKEN_STORE_SECRET: '',
      DATABASE_URL: 'postgres://127.0.0.1:5432/unused',
      // The token service's other bank-mode requirement, given so that only REDIS_URL is missing.
      INTROSPECTION_ALLOWED_ORGANIZATIONS: 'PSDFR-ACPR-10000',
    });
    const exit = await started.exited;
    expect(exit.code).toBe(78);
    expect(started.output().trim().split('\n')).toEqual([
      `${service}: configuration error: REDIS_URL is required when DEPLOYMENT_MODE is bank (the default): an absolute URL with scheme redis: or rediss:`,
    ]);
  });
});

describe('the client registry started without DEPLOYMENT_MODE', () => {
  it('runs as a bank, which refuses to start without DATABASE_URL (no embedded PGlite)', async () => {
    const started = startNodeProcess({
      cwd: join(repoRoot, 'services', 'client-registry'),
      args: ['--import', '@psd2/telemetry/register', 'dist/main.js'],
      env: { OTEL_SDK_DISABLED: 'true', DEPLOYMENT_MODE: '', DATABASE_URL: '' },
    });
    const exit = await started.exited;
    expect(exit.code).toBe(78);
    expect(started.output().trim().split('\n')).toEqual([
      'client-registry: configuration error: DATABASE_URL is required when DEPLOYMENT_MODE is bank (the default): an absolute URL with scheme postgres: or postgresql:',
    ]);
  });
});

describe('the add-psu tool (deploy/k8s/tools/add-psu-job.yaml)', () => {
  it('adds a PSU with DATABASE_URL alone: it needs no Redis, whatever the mode', async () => {
    const schema = await createIsolatedSchema('add-psu-tool');
    try {
      const started = startNodeProcess({
        cwd: join(repoRoot, 'services', 'authorization'),
        args: ['dist/add-psu.js', '--id', 'psu-tool', '--name', 'Tool Test'],
        env: {
          DATABASE_URL: schema.url,
          DEPLOYMENT_MODE: '',
          REDIS_URL: '',
          PSU_PASSWORD: 'a-long-password',
        },
      });
      const exit = await started.exited;
      expect({ code: exit.code, output: started.output() }).toMatchObject({
        code: 0,
        output: expect.stringContaining('PSU added: psu-tool (Tool Test)'),
      });
    } finally {
      await schema.drop();
    }
  });
});
