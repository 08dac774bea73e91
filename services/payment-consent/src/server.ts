import type { ServerCredentials } from '@grpc/grpc-js';
import { DependencyHealth, type RunningGrpcServer, startGrpcServer } from '@psd2/grpc-server';
import type { Logger } from '@psd2/logging';
import { PaymentConsentServiceService } from '@psd2/payment-consent-proto';
import { createPaymentConsent, type PaymentConsentOptions } from './payment-consent.js';
import { createPaymentConsentService, SERVICE_NAME } from './service.js';

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

export interface RunningPaymentConsentServer extends RunningGrpcServer {
  /** grpc.health.v1, following the token store. */
  readonly health: DependencyHealth;
}

/** Builds the gRPC server (the payment-consent API + grpc.health.v1) and starts listening. */
export async function startPaymentConsentServer(
  options: PaymentConsentServerOptions,
): Promise<RunningPaymentConsentServer> {
  // Every call of this API needs the token store (Redis): while it does not answer, the Service sends
  // the payment API's calls to replicas that can serve them.
  const health = new DependencyHealth({
    serviceName: SERVICE_NAME,
    dependency: 'token store',
    ping: () => options.store.ping(),
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
  const server = await startGrpcServer({
    host: options.host,
    port: options.port,
    credentials: options.credentials,
    // One payment request is well under a kilobyte; a large message is a mistake or an attack.
    maxReceiveMessageBytes: 64 * 1024,
    logger: options.logger,
    health,
    register: (grpc) => grpc.addService(PaymentConsentServiceService, service),
  });
  return { ...server, health };
}
