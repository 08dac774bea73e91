import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from '@jest/globals';
import {
  type ClientRegistry,
  createClientRegistry,
  type RegisteredClient,
} from '@psd2/client-registry-client';
import { formPost, plantConsent, registerTestClient, TEST_REDIRECT_URI } from '@psd2/oauth-test-fixtures';
import { generateTotpSecret } from '@psd2/psu-directory';
import { type RunningSystem, startSystem } from '@psd2/testing';
import { createRedisTokenStore, hashSecret, type TokenStore } from '@psd2/token-store';
import { OtlpReceiver } from './otlp-receiver.js';

/*
 * Issue 10's proof, shared by the observability test files: the whole system as processes, exporting
 * to an OTLP receiver, and every secret value a file's flows handle, none of which may appear in
 * anything exported nor in any process's log output.
 */

export class ObservedSystem {
  readonly receiver = new OtlpReceiver();
  /** Every secret value the flows handle; none may appear in telemetry or logs. */
  readonly secrets = new Map<string, string>();
  // The seeded sandbox PSUs' credentials, secret for this run: the bank page signs one of them in for real.
  readonly psuPassword = `pw-${randomBytes(12).toString('base64url')}`;
  readonly psuTotpSecret = generateTotpSecret();
  #started: { system: RunningSystem; registry: ClientRegistry; store: TokenStore } | undefined;

  get system(): RunningSystem {
    return this.#running().system;
  }
  get registry(): ClientRegistry {
    return this.#running().registry;
  }
  get store(): TokenStore {
    return this.#running().store;
  }

  #running() {
    if (this.#started === undefined) throw new Error('the observed system has not started');
    return this.#started;
  }

  async start(label: string): Promise<void> {
    await this.receiver.start();
    const system = await startSystem({
      label,
      env: {
        authorization: {
          DEPLOYMENT_MODE: 'sandbox',
          SANDBOX_BANK_PAGE: 'true',
          SANDBOX_PSU_PASSWORD: this.psuPassword,
          SANDBOX_TOTP_SECRET: this.psuTotpSecret,
        },
      },
      commonEnv: {
        OTEL_SDK_DISABLED: 'false',
        OTEL_EXPORTER_OTLP_ENDPOINT: this.receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_METRIC_EXPORT_INTERVAL: '500',
        OTEL_TRACES_SAMPLER: 'parentbased_always_on',
        OTEL_SERVICE_NAME: '',
      },
    });
    this.#started = {
      system,
      registry: createClientRegistry({ address: system.registryAddress, transport: { plaintext: true } }),
      store: createRedisTokenStore({ url: system.redisUrl, keyPrefix: system.redisKeyPrefix }),
    };
    for (const name of ['tpp-a', 'psp-ai', 'psp-as'] as const) {
      const key = readFileSync(system.pki.qwacs[name].key, 'utf8');
      // A long run of the private key's base64 body: any copy of the key would contain it.
      const body = key.split('\n').filter((line) => line !== '' && !line.startsWith('-----'))[1];
      if (body !== undefined) this.secrets.set(`${name} private key`, body);
    }
  }

  async stop(): Promise<void> {
    this.#started?.registry.close();
    await this.#started?.store.close();
    await this.#started?.system.stop();
    await this.receiver.stop();
  }

  /** A psp-ai client for the account-information flows: codes and refresh tokens. */
  registerAispClient(): Promise<RegisteredClient> {
    return registerTestClient(this.registry, this.system.pki, 'psp-ai', {
      scope: 'aisp',
      grantTypes: ['authorization_code', 'refresh_token'],
    });
  }

  /** Plants a consent, records its code and verifier as `<label> ...` secrets, returns the exchange form. */
  async plantCode(client: RegisteredClient, label: string): Promise<ReturnType<typeof formPost>> {
    const consent = await plantConsent(this.store, client, 'aisp');
    this.secrets.set(`${label} authorization code`, consent.code);
    this.secrets.set(`${label} code_verifier`, consent.verifier);
    return formPost({
      grant_type: 'authorization_code',
      client_id: client.clientId,
      code: consent.code,
      redirect_uri: TEST_REDIRECT_URI,
      code_verifier: consent.verifier,
    });
  }

  /** Where a secret the flows handled shows up in exported telemetry or a log; empty when nowhere. */
  async leaks(): Promise<string[]> {
    // Give the last batches (spans every 100 ms, metrics every 500 ms) time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const exported = this.receiver.raw.join('\n');
    expect(exported.length).toBeGreaterThan(10_000);
    const logs = (
      ['registration', 'authorization', 'token', 'revocation', 'client-registry', 'local-edge'] as const
    )
      .map((name) => this.system.output(name))
      .join('\n');
    // Codes and tokens are Redis keys by their SHA-256: a Redis command's arguments in a span would show
    // those, so they are searched for too (a code_verifier's hash is its public code_challenge: not).
    const searched = new Map(this.secrets);
    for (const [what, value] of this.secrets) {
      if (/token|authorization code/.test(what))
        searched.set(`${what} (SHA-256, its Redis key)`, hashSecret(value));
    }
    const hits: string[] = [];
    for (const [what, value] of searched) {
      expect(value.length).toBeGreaterThanOrEqual(6);
      // A six-digit one-time password would match inside any nanosecond timestamp: digits must not touch it.
      const found = /^\d+$/.test(value)
        ? (text: string) => new RegExp(`(?<![0-9])${value}(?![0-9])`).test(text)
        : (text: string) => text.includes(value);
      if (found(exported)) hits.push(`${what} in exported telemetry`);
      if (found(logs)) hits.push(`${what} in a log`);
    }
    return hits;
  }
}

/** The system for one test file: started before its tests, stopped after them. */
export function observeSystem(label: string): ObservedSystem {
  const observed = new ObservedSystem();
  beforeAll(() => observed.start(label), 60_000);
  afterAll(() => observed.stop());
  return observed;
}
