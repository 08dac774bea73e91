import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from './database.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password.js';
import { psus } from './schema.js';
import { generateTotpSecret, matchTotp } from './totp.js';

/** Who a PSU is, as the pages show it and grants record it. */
export interface PsuIdentity {
  /** The customer identifier; becomes the grant's and the code's `subject`. */
  readonly psuId: string;
  readonly displayName: string;
}

export type FactorCheck =
  | { readonly status: 'ok'; readonly psu: PsuIdentity }
  /** Wrong password, unknown identifier, wrong or replayed code: the page says the same for all. */
  | { readonly status: 'invalid' }
  | { readonly status: 'locked'; readonly until: Date };

/**
 * Strong customer authentication as the authorization service needs it (PSD2 RTS Art. 4: two
 * independent elements, attempts limited). The built-in directory below implements it; a bank plugs
 * its own identity provider in by implementing this interface instead.
 *
 * The lockout counts failures of both factors and is cleared only by a complete success, so knowing
 * the password never buys extra guesses at the one-time code.
 */
export interface PsuAuthenticator {
  /** First factor (knowledge). Never clears the failure counter on its own. */
  checkPassword(customerId: string, password: string): Promise<FactorCheck>;
  /** Second factor (possession), for the PSU whose password was just accepted. */
  checkOneTimeCode(psuId: string, code: string): Promise<FactorCheck>;
}

/** The seeded PSUs a sandbox page offers, and the PSU a sandbox form names. */
export interface PsuLookup {
  listPsus(limit: number): Promise<PsuIdentity[]>;
  findPsu(psuId: string): Promise<PsuIdentity | undefined>;
}

export interface NewPsu {
  readonly psuId: string;
  readonly displayName: string;
  readonly password: string;
  /** base32; a new random one when absent. */
  readonly totpSecret?: string;
}

export interface PsuDirectory extends PsuAuthenticator, PsuLookup {
  /** Adds a PSU and returns its TOTP secret (base32), to be enrolled in an authenticator app. */
  addPsu(psu: NewPsu): Promise<{ readonly totpSecret: string }>;
  /** Adds the PSU unless its identifier exists already (sandbox seeding at every start). */
  addPsuIfAbsent(psu: NewPsu): Promise<boolean>;
}

export interface PsuDirectoryOptions {
  readonly db: Db;
  /** Failed attempts in a row that lock the PSU (PSD2 RTS Art. 4(3)(b): at most five). */
  readonly maxFailedAttempts?: number;
  readonly lockSeconds?: number;
  readonly now?: () => Date;
}

export const CUSTOMER_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function createPsuDirectory(options: PsuDirectoryOptions): PsuDirectory {
  const { db } = options;
  const maxFailed = options.maxFailedAttempts ?? 5;
  const lockMs = (options.lockSeconds ?? 900) * 1000;
  const now = options.now ?? (() => new Date());

  const identity = (row: { psuId: string; displayName: string }): PsuIdentity => ({
    psuId: row.psuId,
    displayName: row.displayName,
  });

  const findRow = async (psuId: string) => {
    if (!CUSTOMER_ID_PATTERN.test(psuId)) return undefined;
    const rows = await db.select().from(psus).where(eq(psus.psuId, psuId)).limit(1);
    return rows[0];
  };

  const lockedUntil = (row: { lockedUntil: Date | null }, at: Date): Date | undefined =>
    row.lockedUntil !== null && row.lockedUntil.getTime() > at.getTime() ? row.lockedUntil : undefined;

  /**
   * One atomic update, so that concurrent wrong guesses all count. A lock that has run out starts the
   * count again from this failure.
   */
  const recordFailure = async (psuId: string, at: Date): Promise<FactorCheck> => {
    const atSql = sql`${at.toISOString()}::timestamptz`;
    const until = new Date(at.getTime() + lockMs);
    const expired = sql`(${psus.lockedUntil} is not null and ${psus.lockedUntil} <= ${atSql})`;
    const nextCount = sql`(case when ${expired} then 1 else ${psus.failedAttempts} + 1 end)`;
    const rows = await db
      .update(psus)
      .set({
        failedAttempts: sql`${nextCount}`,
        lockedUntil: sql`(case when ${nextCount} >= ${maxFailed} then ${until.toISOString()}::timestamptz
          when ${expired} then null else ${psus.lockedUntil} end)`,
      })
      .where(eq(psus.psuId, psuId))
      .returning({ lockedUntil: psus.lockedUntil });
    const locked = rows[0] === undefined ? undefined : lockedUntil(rows[0], at);
    return locked === undefined ? { status: 'invalid' } : { status: 'locked', until: locked };
  };

  return {
    async checkPassword(customerId, password) {
      const at = now();
      const row = await findRow(customerId);
      if (row === undefined) {
        await burnPasswordCheck(password);
        return { status: 'invalid' };
      }
      const locked = lockedUntil(row, at);
      if (locked !== undefined) return { status: 'locked', until: locked };
      if (!(await verifyPassword(password, row.passwordHash))) return recordFailure(row.psuId, at);
      return { status: 'ok', psu: identity(row) };
    },

    async checkOneTimeCode(psuId, code) {
      const at = now();
      const row = await findRow(psuId);
      if (row === undefined) return { status: 'invalid' };
      const locked = lockedUntil(row, at);
      if (locked !== undefined) return { status: 'locked', until: locked };
      const step = matchTotp(row.totpSecret, code, Math.floor(at.getTime() / 1000));
      if (step === undefined) return recordFailure(row.psuId, at);
      // Accepting a step and clearing the counter happen together, and only for a step later than the
      // last one accepted: two sign-ins racing with one code cannot both pass (RFC 6238 §5.2).
      const atSql = sql`${at.toISOString()}::timestamptz`;
      const accepted = await db
        .update(psus)
        .set({ lastTotpStep: step, failedAttempts: 0, lockedUntil: null })
        .where(
          sql`${psus.psuId} = ${row.psuId}
            and (${psus.lastTotpStep} is null or ${psus.lastTotpStep} < ${step})
            and (${psus.lockedUntil} is null or ${psus.lockedUntil} <= ${atSql})`,
        )
        .returning({ psuId: psus.psuId });
      if (accepted.length === 0) return recordFailure(row.psuId, at);
      return { status: 'ok', psu: identity(row) };
    },

    async listPsus(limit) {
      const rows = await db
        .select({ psuId: psus.psuId, displayName: psus.displayName })
        .from(psus)
        .orderBy(asc(psus.psuId))
        .limit(limit);
      return rows.map(identity);
    },

    async findPsu(psuId) {
      const row = await findRow(psuId);
      return row === undefined ? undefined : identity(row);
    },

    async addPsu(psu) {
      const totpSecret = psu.totpSecret ?? generateTotpSecret();
      const inserted = await db
        .insert(psus)
        .values(await newRow(psu, totpSecret, now()))
        .onConflictDoNothing()
        .returning({ psuId: psus.psuId });
      if (inserted.length === 0)
        throw new PsuDirectoryInputError('a PSU with this customer identifier exists already');
      return { totpSecret };
    },

    async addPsuIfAbsent(psu) {
      if ((await findRow(psu.psuId)) !== undefined) return false;
      const inserted = await db
        .insert(psus)
        .values(await newRow(psu, psu.totpSecret ?? generateTotpSecret(), now()))
        .onConflictDoNothing()
        .returning({ psuId: psus.psuId });
      return inserted.length > 0;
    },
  };
}

/** A PSU that cannot be added as given; the message names the rule and never a secret. */
export class PsuDirectoryInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PsuDirectoryInputError';
  }
}

async function newRow(psu: NewPsu, totpSecret: string, createdAt: Date) {
  if (!CUSTOMER_ID_PATTERN.test(psu.psuId)) {
    throw new PsuDirectoryInputError(
      'a customer identifier is 1 to 64 letters, digits, dots, dashes or underscores',
    );
  }
  if (psu.password.length < 8) throw new PsuDirectoryInputError('a password has at least 8 characters');
  if (psu.displayName.trim().length === 0) throw new PsuDirectoryInputError('a display name is required');
  return {
    psuId: psu.psuId,
    displayName: psu.displayName.trim(),
    passwordHash: await hashPassword(psu.password),
    totpSecret,
    failedAttempts: 0,
    createdAt,
  };
}
