import { eq, sql } from 'drizzle-orm';
import { type CheckGate, createCheckGate } from './check-gate.js';
import type { Db } from './database.js';
import { type PasswordVerifier, scryptVerifier } from './password.js';
import { psus } from './schema.js';
import { generateTotpSecret, matchTotp } from './totp.js';

/** Who a PSU is, as the pages show it and grants record it. */
export interface PsuIdentity {
  /** The customer identifier; becomes the grant's and the code's `subject`. */
  readonly psuId: string;
  readonly displayName: string;
}

/** Why a sign-in was refused: for the server's log only, never for the PSU. */
export type RefusalReason = 'unknown_or_locked' | 'wrong_password' | 'wrong_code' | 'replayed_code';

/**
 * What the password step leaves for the code step, kept on the server: the PSU is told nothing until
 * both factors have been given (PSD2 RTS Art. 4(3)(a): never which element was wrong).
 */
export interface FirstFactor {
  readonly customerId: string;
  readonly passed: boolean;
  readonly refusal?: RefusalReason;
  /** This attempt reached the limit: unless it succeeds, the PSU is now locked (for metrics, never the PSU). */
  readonly lastAttempt?: boolean;
}

export type SignInResult =
  | { readonly status: 'ok'; readonly psu: PsuIdentity }
  | {
      readonly status: 'refused';
      readonly reason: RefusalReason;
      /** This refusal locked the PSU: for the lockout metric and the log, never shown to the PSU. */
      readonly lockedOut?: boolean;
    };

/**
 * Strong customer authentication as the authorization service needs it (PSD2 RTS Art. 4: two
 * independent elements, attempts limited). The built-in directory implements it; a bank plugs its own
 * identity provider in by implementing this interface instead.
 *
 * One attempt is one password and one code. It is reserved before the password is hashed and given
 * back only by a complete success, so concurrent guesses cannot outrun the limit, and knowing the
 * password never buys extra guesses at the code.
 */
export interface PsuAuthenticator {
  /** First factor (knowledge). Throws PasswordChecksBusyError when too many checks are waiting. */
  checkPassword(customerId: string, password: string): Promise<FirstFactor>;
  /** Second factor (possession): the answer to the whole sign-in. Call it once per FirstFactor. */
  checkOneTimeCode(first: FirstFactor, code: string): Promise<SignInResult>;
}

export const CUSTOMER_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface AuthenticatorOptions {
  readonly db: Db;
  /** Failed attempts in a row that lock the PSU (PSD2 RTS Art. 4(3)(b): at most five). */
  readonly maxFailedAttempts?: number;
  readonly lockSeconds?: number;
  readonly now?: () => Date;
  /** scrypt unless a test counts the checks. */
  readonly verifier?: PasswordVerifier;
  /** Bounds concurrent hashing (check-gate.ts); by default 2 at once, 32 waiting, 2 s of waiting. */
  readonly gate?: CheckGate;
}

// The code step of a refused first factor checks a code against this, so that it costs what a real one does.
const SECRET_OF_NOBODY = generateTotpSecret();

export function createPsuAuthenticator(options: AuthenticatorOptions): PsuAuthenticator {
  const { db } = options;
  const maxFailed = options.maxFailedAttempts ?? 5;
  const lockMs = (options.lockSeconds ?? 900) * 1000;
  const now = options.now ?? (() => new Date());
  const verifier = options.verifier ?? scryptVerifier;
  const gate = options.gate ?? createCheckGate({ concurrency: 2, queueLimit: 32, queueTimeoutMs: 2000 });

  /**
   * One atomic UPDATE … RETURNING: counts the attempt as failed in advance and hands out the hash only
   * while the PSU is not locked. The attempt that reaches the limit sets the lock itself, so any number of
   * concurrent guesses gets at most `maxFailed` hashes; a lock that has run out restarts the count.
   */
  const reserveAttempt = async (
    customerId: string,
    at: Date,
  ): Promise<{ passwordHash: string; lockedUntil: Date | null } | undefined> => {
    const atSql = sql`${at.toISOString()}::timestamptz`;
    const until = new Date(at.getTime() + lockMs).toISOString();
    const expired = sql`(${psus.lockedUntil} is not null and ${psus.lockedUntil} <= ${atSql})`;
    const nextCount = sql`(case when ${expired} then 1 else ${psus.failedAttempts} + 1 end)`;
    const rows = await db
      .update(psus)
      .set({
        failedAttempts: sql`${nextCount}`,
        lockedUntil: sql`(case when ${nextCount} >= ${maxFailed} then ${until}::timestamptz else null end)`,
      })
      .where(
        sql`${psus.psuId} = ${customerId} and (${psus.lockedUntil} is null or ${psus.lockedUntil} <= ${atSql})`,
      )
      .returning({ passwordHash: psus.passwordHash, lockedUntil: psus.lockedUntil });
    return rows[0];
  };

  const findRow = async (psuId: string) => {
    if (!CUSTOMER_ID_PATTERN.test(psuId)) return undefined;
    const rows = await db.select().from(psus).where(eq(psus.psuId, psuId)).limit(1);
    return rows[0];
  };

  return {
    async checkPassword(customerId, password) {
      const at = now();
      // Known or not, locked or not: one UPDATE and one hash, so neither the answer nor its time tells.
      return gate(async () => {
        const possible = CUSTOMER_ID_PATTERN.test(customerId);
        const reserved = possible ? await reserveAttempt(customerId, at) : undefined;
        if (reserved === undefined) {
          await verifier.burn(password);
          // The first factor waits in the PSU's session: an identifier no customer can have (NULs,
          // 15 KB of text) is kept as the empty one it stands for, not as typed.
          return { customerId: possible ? customerId : '', passed: false, refusal: 'unknown_or_locked' };
        }
        // Only an unlocked row is reserved, so a lock in the returned row is this attempt's.
        const lastAttempt = reserved.lockedUntil !== null ? { lastAttempt: true } : {};
        return (await verifier.verify(password, reserved.passwordHash))
          ? { customerId, passed: true, ...lastAttempt }
          : { customerId, passed: false, refusal: 'wrong_password', ...lastAttempt };
      });
    },

    async checkOneTimeCode(first, code) {
      const at = now();
      const seconds = Math.floor(at.getTime() / 1000);
      const row = await findRow(first.customerId);
      const lockedOut = first.lastAttempt === true ? { lockedOut: true } : {};
      if (!first.passed || row === undefined) {
        matchTotp(SECRET_OF_NOBODY, code, seconds);
        return { status: 'refused', reason: first.refusal ?? 'unknown_or_locked', ...lockedOut };
      }
      // The attempt reserved by the password step covers this code, even if its reservation set the lock.
      const step = matchTotp(row.totpSecret, code, seconds);
      if (step === undefined) return { status: 'refused', reason: 'wrong_code', ...lockedOut };
      // Accepting a step and giving the attempt back happen together, and only for a step later than the
      // last one accepted: two sign-ins racing with one code cannot both pass (RFC 6238 §5.2).
      const accepted = await db
        .update(psus)
        .set({ lastTotpStep: step, failedAttempts: 0, lockedUntil: null })
        .where(
          sql`${psus.psuId} = ${row.psuId} and (${psus.lastTotpStep} is null or ${psus.lastTotpStep} < ${step})`,
        )
        .returning({ psuId: psus.psuId });
      if (accepted.length === 0) return { status: 'refused', reason: 'replayed_code', ...lockedOut };
      return { status: 'ok', psu: { psuId: row.psuId, displayName: row.displayName } };
    },
  };
}
