import type { Server } from '@grpc/grpc-js';
import type { Logger } from '@psd2/logging';
import { HealthImplementation } from 'grpc-health-check';

export interface DependencyHealthOptions {
  /** The full gRPC name of the service (e.g. `psd2.clientregistry.v1.ClientRegistryService`). */
  readonly serviceName: string;
  /** What `ping` reaches, for the log lines: "client database", "token store". */
  readonly dependency: string;
  /**
   * Resolves when the one dependency every call of the service needs answers. It is told how long the
   * probe may take, so it can bound its own work (a statement timeout); past that the probe counts as
   * failed whether or not it has settled.
   */
  readonly ping: (timeoutMs: number) => Promise<void>;
  readonly logger: Logger;
  /** Time between probes. */
  readonly intervalMs: number;
  /** How long one probe may take before it counts as a failure. */
  readonly probeTimeoutMs?: number;
}

/** How soon a failed call brings the next probe forward, so recovery is noticed quickly too. */
const EARLY_PROBE_MS = 250;

/**
 * Keeps grpc.health.v1 in step with the service's dependency: NOT_SERVING while it does not answer, so
 * load balancers (a Kubernetes Service, the probes) send calls to replicas that can serve them, SERVING
 * again once it does. A call that failed with UNAVAILABLE reports at once (`reportUnavailable`) rather
 * than waiting for the next probe. Both names answer: '' (the whole server) and the service's own.
 */
export class DependencyHealth {
  readonly #options: DependencyHealthOptions;
  readonly #service = new HealthImplementation({ '': 'NOT_SERVING' });
  #serving: boolean | undefined;
  #timer: NodeJS.Timeout | undefined;
  #probing = false;
  #stopped = false;

  constructor(options: DependencyHealthOptions) {
    this.#options = options;
    // Not serving until the first probe says otherwise.
    this.#service.setStatus(options.serviceName, 'NOT_SERVING');
  }

  get serving(): boolean {
    return this.#serving === true;
  }

  /** Adds grpc.health.v1 to the server. */
  addToServer(server: Server): void {
    this.#service.addToServer(server);
  }

  /** Probes once, then keeps probing in the background. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#probe();
  }

  reportUnavailable(): void {
    if (this.#stopped) return;
    this.#set(false);
    this.#schedule(Math.min(this.#options.intervalMs, EARLY_PROBE_MS));
  }

  /** NOT_SERVING for good: the server is going away and load balancers should stop sending. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#set(false);
  }

  async #probe(): Promise<void> {
    if (this.#probing || this.#stopped) return;
    this.#probing = true;
    clearTimeout(this.#timer);
    const timeoutMs = this.#options.probeTimeoutMs ?? 1000;
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => this.#options.ping(timeoutMs)),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(
            () => reject(new Error(`${this.#options.dependency} did not answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
      if (!this.#stopped) this.#set(true);
    } catch (error) {
      if (!this.#stopped) {
        // Once per outage, not once per probe.
        if (this.#serving !== false) {
          this.#options.logger.warn(
            { err: error, dependency: this.#options.dependency },
            `${this.#options.dependency} probe failed`,
          );
        }
        this.#set(false);
      }
    } finally {
      clearTimeout(timeout);
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
    this.#service.setStatus('', status);
    this.#service.setStatus(this.#options.serviceName, status);
    this.#options.logger.info({ status, grpcService: this.#options.serviceName }, 'health changed');
  }
}
