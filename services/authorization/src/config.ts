import { env } from '@psd2/config';
import { z } from 'zod';

/** Everything the authorization service reads from its environment, validated once at start-up. */
export const configSchema = z.object({
  ...env.httpServiceFields(8082),
});

export type AuthorizationConfig = z.output<typeof configSchema>;
