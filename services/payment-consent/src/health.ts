import type { Logger } from '@psd2/logging';
import type { HealthImplementation } from 'grpc-health-check';
import { SERVICE_NAME } from './service.js';

export interface StoreHealthOptions {
  /** The token store (Redis): every call of this API needs it. */
  readonly store: { ping(): Promise<void> };
  readonly health: HealthImplementation;
  readonly logger: Logger;
  readonly intervalMs: number;
}

/**
 * Keeps grpc.health.v1 in step with the token store: NOT_SERVING while it does not answer, so the
 * Service sends the payment API's calls to replicas that can serve them. A failed call reports at once
 * and brings the next probe forward, so recovery is noticed quickly too.
 */
export class StoreHealth {
  readonly #options: StoreHealthOptions;
  #serving: boolean | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: StoreHealthOptions) {
    this.#options = options;
  }

  get serving(): boolean {
    return this.#serving === true;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.#probe();
  }

  reportUnavailable(): void {
    if (this.#stopped) return;
    this.#set(false);
    this.#schedule(Math.min(this.#options.intervalMs, 250));
  }

  /** NOT_SERVING for good: the server is going away. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#set(false);
  }

  async #probe(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#options.store.ping();
      if (!this.#stopped) this.#set(true);
    } catch (error) {
      if (!this.#stopped) {
        if (this.#serving !== false) this.#options.logger.warn({ err: error }, 'token store probe failed');
        this.#set(false);
      }
    } finally {
      this.#schedule(this.#options.intervalMs);
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#probe(), delayMs);
    // Probing alone must not keep a process alive that has nothing else to do.
    this.#timer.unref();
  }

  #set(serving: boolean): void {
    if (this.#serving === serving) return;
    this.#serving = serving;
    const status = serving ? 'SERVING' : 'NOT_SERVING';
    this.#options.health.setStatus('', status);
    this.#options.health.setStatus(SERVICE_NAME, status);
    this.#options.logger.info({ status }, 'payment consent health changed');
  }
}
