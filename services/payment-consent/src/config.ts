import { clientRegistrySettings } from '@psd2/client-registry-client';
import { env } from '@psd2/config';
import { issuerSettings } from '@psd2/edge-config';
import { sharedStateRules, tokenStoreSettings } from '@psd2/token-store';
import { z } from 'zod';

/** The bounds of a payment request's approval window (RegisterPaymentRequest's expires_in_seconds). */
export const EXPIRY_BOUNDS = { min: 10, max: 3600 } as const;

/** Everything the payment-consent service reads from its environment, validated once at start-up. */
const settings = z.object({
  PORT: env.port(50052),
  HOST: env.host('127.0.0.1'),
  LOG_LEVEL: env.logLevel('info'),
  // The consent-approval URL is absolute: the customer's browser opens it through the edge.
  ...issuerSettings,
  // DEPLOYMENT_MODE (bank unless sandbox is asked for; it picks the page of the consent URL),
  // REDIS_URL (required in bank mode: the pages and the token service read the same requests).
  ...tokenStoreSettings,
  ...clientRegistrySettings,
  /** The approval window when the payment API does not give one. */
  PAYMENT_REQUEST_DEFAULT_EXPIRY_SECONDS: env.integer({ ...EXPIRY_BOUNDS, default: 900 }),
  /** How long a client read from the registry is reused. */
  CLIENT_REGISTRY_CACHE_MS: env.integer({ min: 0, max: 5000, default: 2000 }),
  /*
   * The payment API reaches this port over the cluster network only (a NetworkPolicy admits its pods
   * alone). Plaintext has to be asked for, as for the registry; otherwise TLS with these files, and
   * with a CA file the payment API must present a certificate issued by it (mutual TLS).
   */
  PAYMENT_CONSENT_PLAINTEXT: env.flag(false),
  PAYMENT_CONSENT_TLS_CERT_FILE: env.optionalText(),
  PAYMENT_CONSENT_TLS_KEY_FILE: env.optionalText(),
  PAYMENT_CONSENT_TLS_CA_FILE: env.optionalText(),
  // Bound on any one call, whatever deadline the caller set (or none).
  MAX_CALL_MS: env.integer({ min: 100, max: 60_000, default: 5000 }),
  // Calls in flight may finish for this long after SIGTERM; with telemetry's flush the process is gone
  // within 10 s (DRAIN_BUDGET_MS, packages/telemetry/src/shutdown.ts).
  SHUTDOWN_GRACE_MS: env.integer({ min: 0, max: 120_000, default: 7000 }),
});

/** Validated once at start-up: bank mode requires REDIS_URL; the transport is chosen, never guessed. */
export const paymentConsentConfigSchema = settings.superRefine((config, context) => {
  sharedStateRules(config, context);
  const tls = [
    config.PAYMENT_CONSENT_TLS_CERT_FILE,
    config.PAYMENT_CONSENT_TLS_KEY_FILE,
    config.PAYMENT_CONSENT_TLS_CA_FILE,
  ].some((file) => file !== undefined);
  if (config.PAYMENT_CONSENT_PLAINTEXT && tls) {
    context.addIssue({
      code: 'custom',
      path: ['PAYMENT_CONSENT_PLAINTEXT'],
      message: 'and PAYMENT_CONSENT_TLS_* are both set: choose one',
    });
  } else if (
    !config.PAYMENT_CONSENT_PLAINTEXT &&
    (config.PAYMENT_CONSENT_TLS_CERT_FILE === undefined || config.PAYMENT_CONSENT_TLS_KEY_FILE === undefined)
  ) {
    context.addIssue({
      code: 'custom',
      path: ['PAYMENT_CONSENT_TLS_CERT_FILE'],
      message:
        'and PAYMENT_CONSENT_TLS_KEY_FILE are required (PAYMENT_CONSENT_TLS_CA_FILE for mutual TLS), ' +
        'unless PAYMENT_CONSENT_PLAINTEXT=true on a private network',
    });
  }
});

export type PaymentConsentConfig = z.output<typeof paymentConsentConfigSchema>;
