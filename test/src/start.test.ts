import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ClientNotFoundError, createClientRegistry } from '@psd2/client-registry-client';
import { ensureDemoPki } from '@psd2/test-pki';
import {
  createIsolatedSchema,
  describeFailure,
  failureOf,
  freePort,
  type IsolatedSchema,
  repoRoot,
  type StartedProcess,
  startNodeProcess,
} from '@psd2/testing';
import { Agent, fetch as undiciFetch } from 'undici';

/** `pnpm start` (after the build), on ports of its own so it can run beside a developer's instance. */
describe('pnpm start', () => {
  let system: StartedProcess | undefined;
  let database: IsolatedSchema | undefined;

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
  });

  it('brings every service up healthy, then stops them all on SIGTERM', async () => {
    const registryPort = await freePort();
    const edgePort = await freePort();
    const edgeHealthPort = await freePort();
    const edgeInternalPort = await freePort();
    const adminPort = await freePort();
    const ports = {
      REGISTRATION_PORT: await freePort(),
      AUTHORIZATION_PORT: await freePort(),
      TOKEN_PORT: await freePort(),
      REVOCATION_PORT: await freePort(),
    };
    // The services' probes: their PORT speaks HTTPS to the edge alone.
    const healthPorts = {
      REGISTRATION_HEALTH_PORT: await freePort(),
      AUTHORIZATION_HEALTH_PORT: await freePort(),
      TOKEN_HEALTH_PORT: await freePort(),
      REVOCATION_HEALTH_PORT: await freePort(),
    };
    system = startNodeProcess({
      cwd: repoRoot,
      args: [join('scripts', 'dist', 'start.js')],
      env: {
        ...Object.fromEntries(
          Object.entries({ ...ports, ...healthPorts }).map(([name, port]) => [name, String(port)]),
        ),
        CLIENT_REGISTRY_PORT: String(registryPort),
        PAYMENT_CONSENT_PORT: String(await freePort()),
        ADMIN_PORT: String(adminPort),
        // Quiet logs: readiness comes from the health checks, not from any log line.
        LOG_LEVEL: 'warn',
        EDGE_PORT: String(edgePort),
        EDGE_HEALTH_PORT: String(edgeHealthPort),
        EDGE_INTERNAL_PORT: String(edgeInternalPort),
        ISSUER: '',
        // An embedded database of its own, so the test never touches a developer's data.
        PGLITE_DATA_DIR: 'memory://',
        DATABASE_URL: '',
      },
    });
    await system.waitForOutput('All services are up', 180_000);

    for (const port of Object.values(healthPorts)) {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    }

    const edgeReady = await fetch(`http://127.0.0.1:${edgeHealthPort}/ready`);
    expect(edgeReady.status).toBe(200);
    // The banner names the public issuer and a ready curl command with a demo QWAC.
    expect(system.output()).toContain(`issuer https://localhost:${edgePort}`);
    expect(system.output()).toMatch(/curl .*--cert .*tpp-a\.crt/);

    // The registry answers over gRPC: an unknown client is a typed NOT_FOUND, not an outage.
    const registry = createClientRegistry({
      address: `127.0.0.1:${registryPort}`,
      transport: { plaintext: true },
    });
    await expect(registry.getClient('no-such-client')).rejects.toBeInstanceOf(ClientNotFoundError);
    registry.close();

    // The banner's operator lines reach the admin API with the demo operator's certificate.
    const adminEnv = Object.fromEntries(
      [...system.output().matchAll(/export (ADMIN_[A-Z_]+)=(\S+)/g)].map((match) => [match[1], match[2]]),
    );
    expect(adminEnv.ADMIN_ADDRESS).toBe(`127.0.0.1:${adminPort}`);
    const cli = await promisify(execFile)(
      process.execPath,
      [join('packages', 'admin-cli', 'dist', 'cli.js'), 'list-clients', '--json'],
      { cwd: repoRoot, env: { ...process.env, ...adminEnv }, timeout: 20_000 },
    );
    expect(JSON.parse(cli.stdout)).toEqual({ clients: [] });

    const exit = await system.stop();
    expect(exit.code).toBe(0);
    for (const port of Object.values(healthPorts)) {
      // Nothing listens any more: the connection itself is refused.
      expect(describeFailure(await failureOf(fetch(`http://127.0.0.1:${port}/healthz`)))).toContain(
        'ECONNREFUSED',
      );
    }
  }, 240_000);

  it('migrates an empty PostgreSQL database named by DATABASE_URL, then registers a client through the edge', async () => {
    // A schema of its own is an empty database as far as the services can tell (search_path).
    database = await createIsolatedSchema('pnpm_start');
    const edgePort = await freePort();
    system = startNodeProcess({
      cwd: repoRoot,
      args: [join('scripts', 'dist', 'start.js')],
      env: {
        REGISTRATION_PORT: String(await freePort()),
        AUTHORIZATION_PORT: String(await freePort()),
        TOKEN_PORT: String(await freePort()),
        REVOCATION_PORT: String(await freePort()),
        CLIENT_REGISTRY_PORT: String(await freePort()),
        PAYMENT_CONSENT_PORT: String(await freePort()),
        ADMIN_PORT: String(await freePort()),
        EDGE_PORT: String(edgePort),
        EDGE_HEALTH_PORT: String(await freePort()),
        ISSUER: '',
        LOG_LEVEL: 'warn',
        DATABASE_URL: database.url,
        PGLITE_DATA_DIR: 'memory://',
        REDIS_URL: '',
      },
    });
    await system.waitForOutput('All services are up', 180_000);

    // The same demo PKI the launcher wrote (or found) under .local/pki.
    const pki = await ensureDemoPki(join(repoRoot, '.local', 'pki'));
    const qwac = pki.qwacs['tpp-a'];
    const agent = new Agent({
      connect: { ca: readFileSync(pki.ca.cert), cert: readFileSync(qwac.cert), key: readFileSync(qwac.key) },
    });
    try {
      const edge = `https://localhost:${edgePort}`;
      const metadata = await undiciFetch(`${edge}/.well-known/oauth-authorization-server`, {
        dispatcher: agent,
      });
      const { registration_endpoint: endpoint } = (await metadata.json()) as {
        registration_endpoint: string;
      };
      const response = await undiciFetch(endpoint.replace(/^https:\/\/[^/]+/, edge), {
        dispatcher: agent,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          token_endpoint_auth_method: 'tls_client_auth',
          grant_types: ['client_credentials'],
          scope: 'pisp',
        }),
      });
      const text = await response.text();
      expect({ status: response.status, text }).toEqual({
        status: 201,
        text: expect.stringContaining('client_id'),
      });
    } finally {
      await agent.close();
    }
    expect((await system.stop()).code).toBe(0);
  }, 240_000);
});
