import { afterAll, beforeAll, expect } from '@jest/globals';
import type { ClientRegistry } from '@psd2/client-registry-client';
import type { DemoQwacName } from '@psd2/test-pki';
import { type RunningSystem, startSystem } from '@psd2/testing';
import { openDatabase, openRegistry, register } from './test-support.js';

/*
 * RFC 7591 registration and RFC 7592 management, end to end (registration-*.test.ts): the whole
 * system as processes, requests through the local mTLS edge presenting the test PKI's QWACs, the
 * registry and its audit trail read behind the scenes.
 */

export interface Registered {
  readonly client_id: string;
  readonly registration_access_token: string;
  readonly registration_client_uri: string;
  readonly [field: string]: unknown;
}

/** The running system of one test file, and what its tests ask of it; set before its first test. */
export interface RegistrationSystem {
  readonly system: RunningSystem;
  readonly registry: ClientRegistry;
  readonly database: ReturnType<typeof openDatabase>;
  registered(qwac: DemoQwacName, body: Record<string, unknown>): Promise<Registered>;
  /** The request changes nothing in the registry: no client row appears. */
  expectNothingStored(work: () => Promise<unknown>): Promise<void>;
}

/** Starts the system before the file's tests and stops it after them. */
export function registrationSystem(): RegistrationSystem {
  let running: { system: RunningSystem; registry: ClientRegistry; database: ReturnType<typeof openDatabase> };
  const started = () => {
    if (running === undefined) throw new Error('the system starts in beforeAll');
    return running;
  };
  beforeAll(async () => {
    const system = await startSystem({
      label: 'registration',
      // The abuse limits have their own test file; here they must not get in the way.
      env: { registration: { REGISTRATION_RATE_LIMIT: '10000', MAX_CLIENTS_PER_ORGANISATION: '100' } },
    });
    running = { system, registry: openRegistry(system), database: openDatabase(system) };
  }, 60_000);
  afterAll(async () => {
    running?.registry.close();
    await running?.database.close();
    await running?.system.stop();
  });
  return {
    get system() {
      return started().system;
    },
    get registry() {
      return started().registry;
    },
    get database() {
      return started().database;
    },
    async registered(qwac, body) {
      const response = await register(started().system, qwac, body);
      expect({ status: response.status, body: response.text }).toMatchObject({ status: 201 });
      return response.json<Registered>();
    },
    async expectNothingStored(work) {
      const before = await started().database.clientCount();
      await work();
      expect(await started().database.clientCount()).toBe(before);
    },
  };
}
