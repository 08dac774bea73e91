import { clientCertificateSettings } from '@psd2/client-authentication';
import { clientRegistrySettings } from '@psd2/client-registry-client';
import { env } from '@psd2/config';
import { issuerSettings } from '@psd2/edge-config';
import { sharedStateRules, tokenStoreSettings } from '@psd2/token-store';
import { z } from 'zod';

/** Everything the token service reads from its environment, validated once at start-up. */
const settings = z.object({
  ...env.httpServiceFields(8083),
  ...issuerSettings,
  // DEPLOYMENT_MODE (bank unless sandbox is asked for; it also picks the advertised
  // authorization_endpoint), REDIS_URL (required in bank mode), REDIS_KEY_PREFIX.
  ...tokenStoreSettings,
  ...clientRegistrySettings,
  ...clientCertificateSettings,
  ACCESS_TOKEN_TTL_SECONDS: env.integer({ min: 60, max: 86_400, default: 3600 }),
  /** Organisations (organizationIdentifier) besides PSP_AS certificates that may introspect tokens. */
  INTROSPECTION_ALLOWED_ORGANIZATIONS: env.list([]),
  /** How long a client read from the registry is reused (the token endpoint reads one per request). */
  CLIENT_REGISTRY_CACHE_MS: env.integer({ min: 0, max: 5000, default: 2000 }),
});

/** Validated once at start-up; bank mode (the default) requires REDIS_URL. */
export const configSchema = settings.superRefine(sharedStateRules);

export type TokenConfig = z.output<typeof configSchema>;
