import { createServer, type Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RegistryDeadlineExceededError, RegistryUnavailableError } from '@psd2/client-registry-client';
import { testDatabaseUrl } from '@psd2/testing';
import { asc, eq } from 'drizzle-orm';
import pg from 'pg';
import { clientAudit, clients } from './db/schema.js';
import {
  type Harness,
  type OpenDatabase,
  postgresBackend,
  sampleClient,
  startHarness,
} from './test-support.js';

/*
 * PostgreSQL going away under a running registry. Stopping the shared server would break the test
 * files running beside this one, so the registry reaches PostgreSQL through a TCP proxy that this
 * test cuts and restores: to the registry it is the same as the database going down and coming back.
 */

class CuttableProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  readonly #server: Server;
  #cut = false;

  constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = createServer((incoming) => {
      if (this.#cut) {
        incoming.destroy();
        return;
      }
      const outgoing = this.#connect(incoming);
      incoming.pipe(outgoing).pipe(incoming);
    });
  }

  #connect(incoming: Socket): Socket {
    const outgoing = new Socket();
    outgoing.connect(this.#target.port, this.#target.host);
    for (const socket of [incoming, outgoing]) {
      this.#sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        this.#sockets.delete(socket);
        incoming.destroy();
        outgoing.destroy();
      });
    }
    return outgoing;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    return address.port;
  }

  /** Like PostgreSQL stopping: open connections break, new ones are dropped at once. */
  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

describe('client registry when PostgreSQL goes away', () => {
  const databaseUrl = new URL(testDatabaseUrl());
  const proxy = new CuttableProxy({ host: databaseUrl.hostname, port: Number(databaseUrl.port || 5432) });
  let opened: OpenDatabase;
  let harness: Harness;

  beforeAll(async () => {
    const proxyPort = await proxy.listen();
    opened = await postgresBackend.open('client_registry_outage', {
      url: (isolated) => {
        const viaProxy = new URL(isolated);
        viaProxy.hostname = '127.0.0.1';
        viaProxy.port = String(proxyPort);
        return viaProxy.toString();
      },
    });
    harness = await startHarness(opened.database, {
      healthIntervalMs: 200,
      client: { deadlineMs: 3000, retry: { maxAttempts: 3, initialBackoffMs: 20 } },
    });
  });

  afterAll(async () => {
    await harness?.stop();
    await opened?.cleanup();
    await proxy.close();
  });

  it('answers UNAVAILABLE while it is down, stays SERVING, and recovers with nothing lost or half-written', async () => {
    const input = sampleClient();
    const { client, registrationAccessToken } = await harness.registry.createClient(input);
    const actor = {
      organizationId: input.organizationId,
      certificateThumbprint: input.registeredCertificateThumbprint,
    };
    await expect(harness.health()).resolves.toBe('SERVING');

    proxy.cut();

    // More failed calls than the pool has connections: none may leak one, or recovery would never come.
    for (let attempt = 0; attempt < 6; attempt++) {
      await expect(harness.registry.getClient(client.clientId, { fresh: true })).rejects.toBeInstanceOf(
        RegistryUnavailableError,
      );
    }
    await expect(
      harness.registry.createClient(sampleClient({ organizationId: input.organizationId })),
    ).rejects.toBeInstanceOf(RegistryUnavailableError);
    await expect(
      harness.registry.replaceClient({
        clientId: client.clientId,
        expectedVersion: 1,
        metadata: { ...input.metadata, clientName: 'written while down' },
        actor,
      }),
    ).rejects.toBeInstanceOf(RegistryUnavailableError);
    await expect(
      harness.registry.rotateRegistrationAccessToken({ clientId: client.clientId, actor }),
    ).rejects.toBeInstanceOf(RegistryUnavailableError);
    await expect(
      harness.registry.listClients({ organizationId: input.organizationId }),
    ).rejects.toBeInstanceOf(RegistryUnavailableError);
    // Every replica shares the database: health is the replica's own state, so it stays SERVING.
    await expect(harness.health()).resolves.toBe('SERVING');
    await expect(harness.health('')).resolves.toBe('SERVING');

    proxy.restore();

    // The client written before the outage is intact; nothing tried during it left a trace.
    const after = await harness.registry.getClient(client.clientId, { fresh: true });
    expect(after).toEqual(client);
    await expect(
      harness.registry.checkRegistrationAccessToken(client.clientId, registrationAccessToken),
    ).resolves.toBeDefined();
    const page = await harness.registry.listClients({ organizationId: input.organizationId });
    expect(page.clients.map((listed) => listed.clientId)).toEqual([client.clientId]);
    const rows = await opened.database.db.select().from(clients);
    expect(rows).toHaveLength(1);
    const audit = await opened.database.db
      .select()
      .from(clientAudit)
      .where(eq(clientAudit.clientId, client.clientId))
      .orderBy(asc(clientAudit.id));
    expect(audit.map((row) => row.action)).toEqual(['create']);

    // And it takes writes again.
    await expect(
      harness.registry.createClient(sampleClient({ organizationId: input.organizationId })),
    ).resolves.toBeDefined();
  });

  it('stays SERVING through an outage its own checks see (they cannot tell, so nothing changes)', async () => {
    await expect(harness.health()).resolves.toBe('SERVING');
    proxy.cut();
    try {
      // Several health checks (every 200 ms) run against the cut database.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await expect(harness.health()).resolves.toBe('SERVING');
    } finally {
      proxy.restore();
    }
  });

  it('gives up at the deadline, and a change that missed it is not committed', async () => {
    const input = sampleClient();
    const { client } = await harness.registry.createClient(input);
    // Another session holds the row, so the registry's update waits for it past the deadline.
    const blocker = new pg.Client({ connectionString: testDatabaseUrl() });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query(`select 1 from "${opened.schema}".clients where client_id = $1 for update`, [
        client.clientId,
      ]);

      const startedAt = Date.now();
      await expect(
        harness.registry.replaceClient({
          clientId: client.clientId,
          expectedVersion: 1,
          metadata: { ...input.metadata, clientName: 'too late' },
          actor: {
            organizationId: input.organizationId,
            certificateThumbprint: input.registeredCertificateThumbprint,
          },
        }),
      ).rejects.toBeInstanceOf(RegistryDeadlineExceededError);
      expect(Date.now() - startedAt).toBeLessThan(4500);
    } finally {
      await blocker.query('rollback').catch(() => undefined);
      await blocker.end();
    }
    // Give a statement that outlived its deadline the chance to commit, were it still running.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const current = await harness.registry.getClient(client.clientId, { fresh: true });
    expect(current.version).toBe(1);
    expect(current.metadata.clientName).toBe(input.metadata.clientName);
  });
});
