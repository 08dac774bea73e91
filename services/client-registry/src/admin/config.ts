import { env } from '@psd2/config';
import type { z } from 'zod';

/*
 * The operators' admin API: a second port of the registry, mutual TLS with operator certificates only.
 * Safe by default: without its three files it does not start at all, and there is no plaintext mode.
 */

export const adminSettings = {
  ADMIN_PORT: env.port(50053),
  ADMIN_HOST: env.host('127.0.0.1'),
  /** The admin server's certificate and key (PEM). */
  ADMIN_TLS_CERT_FILE: env.optionalText(),
  ADMIN_TLS_KEY_FILE: env.optionalText(),
  /** The operator CA: only certificates it issued may call the admin API. */
  ADMIN_CLIENT_CA_FILE: env.optionalText(),
};

const ADMIN_FILES = ['ADMIN_TLS_CERT_FILE', 'ADMIN_TLS_KEY_FILE', 'ADMIN_CLIENT_CA_FILE'] as const;

type AdminFileSettings = Readonly<Partial<Record<(typeof ADMIN_FILES)[number], string | undefined>>>;

/** The admin API's files when all three are set; undefined when none is (the API stays off). */
export interface AdminTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCaFile: string;
}

export function adminTlsFiles(config: AdminFileSettings): AdminTlsFiles | undefined {
  const {
    ADMIN_TLS_CERT_FILE: certFile,
    ADMIN_TLS_KEY_FILE: keyFile,
    ADMIN_CLIENT_CA_FILE: clientCaFile,
  } = config;
  if (certFile === undefined || keyFile === undefined || clientCaFile === undefined) return undefined;
  return { certFile, keyFile, clientCaFile };
}

/**
 * For the registry schema's refinement: a half-set group is an error naming each missing variable (an
 * operator who set two of three meant to turn the API on). Returns whether the admin API is on.
 */
export function adminSettingsRules(config: AdminFileSettings, ctx: z.RefinementCtx): boolean {
  const missing = ADMIN_FILES.filter((name) => config[name] === undefined);
  if (missing.length === 0) return true;
  if (missing.length < ADMIN_FILES.length) {
    for (const name of missing) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `is required when any of ${ADMIN_FILES.join(', ')} is set (the admin API needs all three)`,
      });
    }
  }
  return false;
}
