import { clientRegistrySettings } from '@psd2/client-registry-client';
import { env, pushedAuthorizationSettings } from '@psd2/config';
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
  ACCESS_TOKEN_TTL_SECONDS: env.integer({ min: 60, max: 86_400, default: 3600 }),
  /**
   * The access token of one approved payment (pisp by the code flow): short, since it only initiates
   * or cancels that payment, and never refreshed.
   */
  PAYMENT_ACCESS_TOKEN_TTL_SECONDS: env.integer({ min: 60, max: 3600, default: 300 }),
  // PAR_REQUIRED: advertised as require_pushed_authorization_requests (unset: required in bank mode).
  ...pushedAuthorizationSettings,
  /**
   * FAPI 2.0: certificate-bound refresh tokens are not rotated, so a retried refresh never ends a
   * consent. `true` rotates them on every use, with reuse detection.
   */
  REFRESH_TOKEN_ROTATION: env.flag(false),
  /** With rotation: how long the previous refresh token may be retried (same certificate) without revoking the grant. */
  REFRESH_TOKEN_REUSE_GRACE_SECONDS: env.integer({ min: 0, max: 600, default: 60 }),
  /**
   * The organisations (organizationIdentifier, comma-separated) that may introspect tokens: the
   * bank's own API. A PSP_AS certificate alone is not enough, every bank in the EU has one.
   */
  INTROSPECTION_ALLOWED_ORGANIZATIONS: env.list([]),
  /**
   * Where the bank's API introspects: the edge's internal listener (port 8444, reachable only from the
   * bank's API namespace), e.g. https://edge-internal.psd2.svc:8444/oauth2/introspect. Advertised as
   * the metadata's introspection_endpoint; unset, none is advertised (the public hostname has none).
   */
  INTROSPECTION_ENDPOINT: env.optionalUrl(['https']),
  /** How long a client read from the registry is reused (the token endpoint reads one per request). */
  CLIENT_REGISTRY_CACHE_MS: env.integer({ min: 0, max: 5000, default: 2000 }),
});

/** Validated once at start-up; bank mode (the default) requires REDIS_URL and the introspection list. */
export const configSchema = settings.superRefine((config, context) => {
  sharedStateRules(config, context);
  if (config.DEPLOYMENT_MODE === 'bank' && config.INTROSPECTION_ALLOWED_ORGANIZATIONS.length === 0) {
    context.addIssue({
      code: 'custom',
      path: ['INTROSPECTION_ALLOWED_ORGANIZATIONS'],
      message:
        'is required in bank mode: the organizationIdentifiers of the bank API allowed to introspect, comma-separated',
    });
  }
});

export type TokenConfig = z.output<typeof configSchema>;
