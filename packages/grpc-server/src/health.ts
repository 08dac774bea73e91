import type { Server } from '@grpc/grpc-js';
import type { Logger } from '@psd2/logging';
import { HealthImplementation } from 'grpc-health-check';

/**
 * A check of the replica's own state, one that differs from replica to replica (its build against its
 * database's schema), unlike a dependency every replica shares.
 */
export interface OwnStateCheck {
  /** What is checked, for the log lines: "database schema". */
  readonly what: string;
  /**
   * Resolves with nothing when this replica can serve, or with the one-line reason it cannot (e.g.
   * "database schema is behind this build: …"). Rejects when it cannot tell (the database does not
   * answer): the status then stays as it was. It is told how long it may take, to bound its own work.
   */
  run(timeoutMs: number): Promise<string | undefined>;
  /** Time between checks, so that a fixed state (the migration Job has run) is noticed without a restart. */
  readonly intervalMs: number;
}

export interface ServerHealthOptions {
  /** The full gRPC name of the service (e.g. `psd2.clientregistry.v1.ClientRegistryService`). */
  readonly serviceName: string;
  readonly logger: Logger;
  /** The replica's own state, when it has one worth checking; without it: SERVING from start to stop. */
  readonly check?: OwnStateCheck | undefined;
  /** How long one check may take before it counts as "cannot tell". */
  readonly checkTimeoutMs?: number;
}

/**
 * grpc.health.v1 from the replica's own state only, so that a Kubernetes Service keeps every replica
 * while a shared dependency (PostgreSQL, Redis) has a blip (the calls meanwhile fail with UNAVAILABLE,
 * which callers retry): NOT_SERVING before start, after stop (draining), and while the own-state check
 * gives a reason. Both names answer: '' (the whole server) and the service's own.
 */
export class ServerHealth {
  readonly #options: ServerHealthOptions;
  readonly #service = new HealthImplementation({ '': 'NOT_SERVING' });
  #serving: boolean | undefined;
  /** The reason last logged, so a lasting state is one log line, not one per check. */
  #reason: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking = false;
  #stopped = false;

  constructor(options: ServerHealthOptions) {
    this.#options = options;
    this.#service.setStatus(options.serviceName, 'NOT_SERVING');
  }

  get serving(): boolean {
    return this.#serving === true;
  }

  /** Adds grpc.health.v1 to the server. */
  addToServer(server: Server): void {
    this.#service.addToServer(server);
  }

  /** SERVING, unless the first check gives a reason; then keeps checking in the background. */
  async start(): Promise<void> {
    this.#stopped = false;
    if (this.#options.check === undefined) {
      this.#set(true);
      return;
    }
    await this.#check(this.#options.check);
    // A replica that could not tell at start serves: its dependency's outage is not its own state.
    if (this.#serving === undefined && !this.#stopped) this.#set(true);
  }

  /** NOT_SERVING for good: the server is going away and load balancers should stop sending. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#set(false);
  }

  async #check(check: OwnStateCheck): Promise<void> {
    if (this.#checking || this.#stopped) return;
    this.#checking = true;
    const timeoutMs = this.#options.checkTimeoutMs ?? 2000;
    let timeout: NodeJS.Timeout | undefined;
    try {
      const reason = await Promise.race([
        Promise.resolve().then(() => check.run(timeoutMs)),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (this.#stopped) return;
      if (reason !== undefined && reason !== this.#reason) this.#options.logger.error(reason);
      this.#reason = reason;
      this.#set(reason === undefined);
    } catch (error) {
      this.#options.logger.debug({ err: error }, `${check.what} check could not tell; status unchanged`);
    } finally {
      clearTimeout(timeout);
      this.#checking = false;
      this.#schedule(check);
    }
  }

  #schedule(check: OwnStateCheck): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#check(check), check.intervalMs);
    // Checking alone must not keep a process alive that has nothing else to do.
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
