import type { z } from 'zod';
import { type DeploymentMode, optionalFlag } from './fields.js';

/**
 * A refinement for a service schema: in bank mode (the default) the PostgreSQL named by DATABASE_URL is
 * required. Customers' credentials and OAuth clients belong in the bank's database, shared by every
 * replica, never in an embedded PGlite file beside one pod (that is the laptop's convenience).
 */
export function databaseRequiredInBankMode(
  config: { readonly DEPLOYMENT_MODE: DeploymentMode; readonly DATABASE_URL?: URL | undefined },
  ctx: z.RefinementCtx,
): void {
  if (config.DEPLOYMENT_MODE === 'bank' && config.DATABASE_URL === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['DATABASE_URL'],
      message:
        'is required when DEPLOYMENT_MODE is bank (the default): an absolute URL with scheme postgres: or postgresql:',
    });
  }
}

/**
 * RFC 9126 §5 `require_pushed_authorization_requests`: whether the authorization pages accept only
 * requests pushed to `/oauth2/par` (or registered by the bank's payment API). The authorization
 * service enforces it and the token service advertises it, so both read this one setting.
 */
export const pushedAuthorizationSettings = {
  /** Unset: required in bank mode (FAPI 2.0), not in a sandbox. */
  PAR_REQUIRED: optionalFlag(),
};

export function pushedAuthorizationRequired(config: {
  readonly DEPLOYMENT_MODE: DeploymentMode;
  readonly PAR_REQUIRED?: boolean | undefined;
}): boolean {
  return config.PAR_REQUIRED ?? config.DEPLOYMENT_MODE === 'bank';
}
