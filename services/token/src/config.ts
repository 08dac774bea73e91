import { env } from '@psd2/config';
import { z } from 'zod';

/** Everything the token service reads from its environment, validated once at start-up. */
export const configSchema = z.object({
  ...env.httpServiceFields(8083),
});

export type TokenConfig = z.output<typeof configSchema>;
