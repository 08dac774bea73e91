import { env } from '@psd2/config';
import { z } from 'zod';

/** Everything the registration service reads from its environment, validated once at start-up. */
export const configSchema = z.object({
  ...env.httpServiceFields(8081),
});

export type RegistrationConfig = z.output<typeof configSchema>;
