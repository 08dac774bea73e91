import { env } from '@psd2/config';
import { z } from 'zod';

/** Everything the revocation service reads from its environment, validated once at start-up. */
export const configSchema = z.object({
  ...env.httpServiceFields(8084),
});

export type RevocationConfig = z.output<typeof configSchema>;
