import { sql } from 'drizzle-orm';
import { bigint, check, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/*
 * The PSU directory's one table. No schema name on purpose: the connection's search_path decides where
 * it lives (each test file's isolated schema, `public` in production). The `psu_directory_` prefix keeps
 * it apart from the client registry's tables when both share a database.
 *
 * This file imports nothing but drizzle: drizzle-kit loads it on its own (`pnpm --filter
 * @psd2/psu-directory db:generate`).
 */

const instant = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });

export const psus = pgTable(
  'psu_directory_psus',
  {
    /** The customer identifier the PSU types on the sign-in page; also the grant's `subject`. */
    psuId: text('psu_id').primaryKey(),
    displayName: text('display_name').notNull(),
    /** `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`; see password.ts. */
    passwordHash: text('password_hash').notNull(),
    /**
     * The RFC 6238 shared secret (base32). It has to be readable to compute the expected code, so it is
     * as sensitive as the database itself; a bank plugging in its own identity provider keeps it in an HSM.
     */
    totpSecret: text('totp_secret').notNull(),
    /** The last TOTP time step accepted: a code is never accepted twice (RFC 6238 §5.2). */
    lastTotpStep: bigint('last_totp_step', { mode: 'number' }),
    /** Consecutive failed attempts (password or one-time code) since the last success. */
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: instant('locked_until'),
    createdAt: instant('created_at').notNull(),
  },
  (table) => [check('psu_directory_failed_attempts_check', sql`${table.failedAttempts} >= 0`)],
);

export type PsuRow = typeof psus.$inferSelect;
