import type { ServerCredentials } from '@grpc/grpc-js';
import { type RunningGrpcServer, ServerHealth, startGrpcServer } from '@psd2/grpc-server';
import type { Logger } from '@psd2/logging';
import { PaymentConsentServiceService } from '@psd2/payment-consent-proto';
import { createPaymentConsent, type PaymentConsentOptions } from './payment-consent.js';
import { createPaymentConsentService, SERVICE_NAME } from './service.js';

export interface PaymentConsentServerOptions extends PaymentConsentOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly credentials: ServerCredentials;
  readonly store: PaymentConsentOptions['store'];
  readonly logger: Logger;
  readonly maxCallMs?: number;
}

export interface RunningPaymentConsentServer extends RunningGrpcServer {
  /** grpc.health.v1: SERVING from start until draining. */
  readonly health: ServerHealth;
}

/** Builds the gRPC server (the payment-consent API + grpc.health.v1) and starts listening. */
export async function startPaymentConsentServer(
  options: PaymentConsentServerOptions,
): Promise<RunningPaymentConsentServer> {
  // Every replica shares the token store (Redis): while it does not answer, calls get UNAVAILABLE
  // (the payment API retries) and health stays SERVING, since no other replica could do better.
  const health = new ServerHealth({ serviceName: SERVICE_NAME, logger: options.logger });
  const service = createPaymentConsentService({
    consent: createPaymentConsent(options),
    logger: options.logger,
    ...(options.maxCallMs === undefined ? {} : { maxCallMs: options.maxCallMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
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
