import type { Logger } from '@psd2/logging';
import type { HealthImplementation } from 'grpc-health-check';
import type { RegistryDatabase } from './db/database.js';

/** The name health checks use for this service; '' stands for the whole server (grpc.health.v1). */
export const REGISTRY_SERVICE_NAME = 'psd2.clientregistry.v1.ClientRegistryService';

export interface DatabaseHealthOptions {
  readonly database: Pick<RegistryDatabase, 'ping'>;
  readonly health: HealthImplementation;
  readonly logger: Logger;
  /** Time between probes of the database. */
  readonly intervalMs: number;
  /** How long one probe may take before it counts as a failure. */
  readonly probeTimeoutMs?: number;
}

/**
 * Keeps grpc.health.v1 in step with the database: NOT_SERVING while it does not answer, SERVING again
 * once it does. A failed call reports at once rather than waiting for the next probe, and triggers an
 * early probe so recovery is noticed quickly too.
 */
export class DatabaseHealth {
  readonly #options: DatabaseHealthOptions;
  #serving: boolean | undefined;
  #timer: NodeJS.Timeout | undefined;
  #probing = false;
  #stopped = false;

  constructor(options: DatabaseHealthOptions) {
    this.#options = options;
  }

  get serving(): boolean {
    return this.#serving === true;
  }

  /** Probes once, then keeps probing in the background. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#probe();
  }

  reportUnavailable(): void {
    if (this.#stopped) return;
    this.#set(false);
    this.#schedule(Math.min(this.#options.intervalMs, 250));
  }

  /** Reports NOT_SERVING for good: the server is going away and load balancers should stop sending. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#set(false);
  }

  async #probe(): Promise<void> {
    if (this.#probing || this.#stopped) return;
    this.#probing = true;
    clearTimeout(this.#timer);
    try {
      await this.#options.database.ping(this.#options.probeTimeoutMs ?? 1000);
      if (!this.#stopped) this.#set(true);
    } catch (error) {
      if (!this.#stopped) {
        if (this.#serving !== false)
          this.#options.logger.warn({ err: error }, 'client database probe failed');
        this.#set(false);
      }
    } finally {
      this.#probing = false;
      this.#schedule(this.#options.intervalMs);
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped || this.#probing) return;
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
    this.#options.health.setStatus(REGISTRY_SERVICE_NAME, status);
    this.#options.logger.info({ status }, 'client registry health changed');
  }
}
