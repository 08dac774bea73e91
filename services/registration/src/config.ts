import { clientRegistrySettings } from '@psd2/client-registry-client';
import { env } from '@psd2/config';
import { issuerSettings } from '@psd2/edge-config';
import { sharedStateRules, tokenStoreSettings } from '@psd2/token-store';
import { z } from 'zod';

/** Everything the registration service reads from its environment, validated once at start-up. */
const settings = z.object({
  ...env.httpServiceFields(8081),
  ...issuerSettings,
  // DEPLOYMENT_MODE (bank unless sandbox is asked for); REDIS_URL (required in bank mode),
  // REDIS_KEY_PREFIX: the rate limit counters and, on DELETE, the client's revocation marker.
  ...tokenStoreSettings,
  ...clientRegistrySettings,
  /** Active clients one organisation may hold; ListClients reads at most 100 in one page. */
  MAX_CLIENTS_PER_ORGANISATION: env.integer({ min: 1, max: 100, default: 20 }),
  /** Registration and management requests one organisation may send per window, all replicas together. */
  REGISTRATION_RATE_LIMIT: env.integer({ min: 1, max: 100_000, default: 30 }),
  REGISTRATION_RATE_WINDOW_SECONDS: env.integer({ min: 1, max: 86_400, default: 60 }),
  /** Request bodies above this many bytes are refused with 413 (the edge stops at 64 KiB). */
  REGISTRATION_MAX_BODY_BYTES: env.integer({ min: 1024, max: 65_536, default: 32_768 }),
});

/** Validated once at start-up; bank mode (the default) requires REDIS_URL. */
export const configSchema = settings.superRefine(sharedStateRules);

export type RegistrationConfig = z.output<typeof configSchema>;
