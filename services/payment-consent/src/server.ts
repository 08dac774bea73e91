import { Server, type ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from '@psd2/logging';
import { PaymentConsentServiceService } from '@psd2/payment-consent-proto';
import { HealthImplementation } from 'grpc-health-check';
import { StoreHealth } from './health.js';
import { createPaymentConsent, type PaymentConsentOptions } from './payment-consent.js';
import { createPaymentConsentService } from './service.js';

export interface PaymentConsentServerOptions extends PaymentConsentOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly credentials: ServerCredentials;
  readonly store: PaymentConsentOptions['store'] & { ping(): Promise<void> };
  readonly logger: Logger;
  readonly healthIntervalMs?: number;
  readonly maxCallMs?: number;
}

export interface RunningPaymentConsentServer {
  readonly port: number;
  readonly health: StoreHealth;
  /**
   * Stops taking calls, lets calls in flight finish for up to `graceMs`, then cuts the rest. Health
   * goes NOT_SERVING first, so the Service stops routing here while calls drain.
   */
  shutdown(graceMs: number): Promise<void>;
}

/** Builds the gRPC server (the payment-consent API + grpc.health.v1) and starts listening. */
export async function startPaymentConsentServer(
  options: PaymentConsentServerOptions,
): Promise<RunningPaymentConsentServer> {
  const healthService = new HealthImplementation({ '': 'NOT_SERVING' });
  const health = new StoreHealth({
    store: options.store,
    health: healthService,
    logger: options.logger,
    intervalMs: options.healthIntervalMs ?? 2000,
  });
  const service = createPaymentConsentService({
    consent: createPaymentConsent(options),
    logger: options.logger,
    ...(options.maxCallMs === undefined ? {} : { maxCallMs: options.maxCallMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
    onDependencyUnavailable: () => health.reportUnavailable(),
  });

  const server = new Server({
    // A second server (or a stale one) on the same port must fail to bind, not share the traffic.
    'grpc.so_reuseport': 0,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    // One payment request is well under a kilobyte; a large message is a mistake or an attack.
    'grpc.max_receive_message_length': 64 * 1024,
  });
  server.addService(PaymentConsentServiceService, service);
  healthService.addToServer(server);

  const address = options.host.includes(':')
    ? `[${options.host}]:${options.port}`
    : `${options.host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, options.credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  await health.start();

  return {
    port,
    health,
    async shutdown(graceMs) {
      health.stop();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          options.logger.warn({ graceMs }, 'calls still running after the grace period; cutting them');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
