import { readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import { createClientRegistryFromSettings } from '@psd2/client-registry-client';
import { loadConfig } from '@psd2/config';
import { publicIssuer } from '@psd2/edge-config';
import { runGrpcServer } from '@psd2/grpc-server';
import { createLogger } from '@psd2/logging';
import { timeClientRegistryCalls, timeTokenStoreOperations } from '@psd2/telemetry';
import { createTokenStoreFromSettings, redisConnectionFromSettings } from '@psd2/token-store';
import { type PaymentConsentConfig, paymentConsentConfigSchema } from './config.js';
import { startPaymentConsentServer } from './server.js';

/*
 * Composition root of the payment-consent API: configuration, token store, registry client, gRPC
 * server (signals and start-up failures: @psd2/grpc-server's runGrpcServer).
 */

const config = loadConfig(paymentConsentConfigSchema, { processName: 'payment-consent' });
const logger = createLogger({ name: 'payment-consent', level: config.LOG_LEVEL });

/** Plaintext only when asked for (the schema refuses a half-configured TLS). */
function credentials(settings: PaymentConsentConfig): ServerCredentials {
  const cert = settings.PAYMENT_CONSENT_TLS_CERT_FILE;
  const key = settings.PAYMENT_CONSENT_TLS_KEY_FILE;
  if (settings.PAYMENT_CONSENT_PLAINTEXT || cert === undefined || key === undefined) {
    return ServerCredentials.createInsecure();
  }
  const ca = settings.PAYMENT_CONSENT_TLS_CA_FILE;
  const caPem = ca === undefined ? null : readFileSync(ca);
  return ServerCredentials.createSsl(
    caPem,
    [{ cert_chain: readFileSync(cert), private_key: readFileSync(key) }],
    caPem !== null,
  );
}

const registry = timeClientRegistryCalls(
  createClientRegistryFromSettings(config, { cacheTtlMs: config.CLIENT_REGISTRY_CACHE_MS }),
);
const store = timeTokenStoreOperations(createTokenStoreFromSettings(config));
if (redisConnectionFromSettings(config) === undefined && config.TOKEN_STORE_URL === undefined) {
  // The pages and the token service could never see the requests registered here.
  logger.warn('neither REDIS_URL nor TOKEN_STORE_URL is set: payment requests live in this process only');
}

const server = await runGrpcServer({
  processName: 'payment-consent',
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  start: () =>
    startPaymentConsentServer({
      host: config.HOST,
      port: config.PORT,
      credentials: credentials(config),
      store,
      registry,
      issuer: publicIssuer(config),
      mode: config.DEPLOYMENT_MODE,
      defaultExpirySeconds: config.PAYMENT_REQUEST_DEFAULT_EXPIRY_SECONDS,
      logger,
      maxCallMs: config.MAX_CALL_MS,
    }),
  close: async () => {
    registry.close();
    await store.close();
  },
});
logger.info(
  {
    host: config.HOST,
    port: server.port,
    transport: config.PAYMENT_CONSENT_PLAINTEXT ? 'plaintext' : 'tls',
    mode: config.DEPLOYMENT_MODE,
  },
  'payment consent listening',
);
