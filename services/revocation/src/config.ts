import { clientRegistrySettings } from '@psd2/client-registry-client';
import { env } from '@psd2/config';
import { sharedStateRules, tokenStoreSettings } from '@psd2/token-store';
import { z } from 'zod';

/** Everything the revocation service reads from its environment, validated once at start-up. */
const settings = z.object({
  ...env.httpServiceFields(8084),
  // DEPLOYMENT_MODE (bank unless sandbox is asked for), REDIS_URL (required in bank mode), REDIS_KEY_PREFIX.
  ...tokenStoreSettings,
  ...clientRegistrySettings,
  /** How long a client read from the registry is reused. */
  CLIENT_REGISTRY_CACHE_MS: env.integer({ min: 0, max: 5000, default: 2000 }),
});

/** Validated once at start-up; bank mode (the default) requires REDIS_URL. */
export const configSchema = settings.superRefine(sharedStateRules);

export type RevocationConfig = z.output<typeof configSchema>;
