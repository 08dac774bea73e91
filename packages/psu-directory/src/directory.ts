import { asc, eq } from 'drizzle-orm';
import {
  type AuthenticatorOptions,
  CUSTOMER_ID_PATTERN,
  createPsuAuthenticator,
  type PsuAuthenticator,
  type PsuIdentity,
} from './authenticator.js';
import { hashPassword } from './password.js';
import { psus } from './schema.js';
import { generateTotpSecret } from './totp.js';

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

export type PsuDirectoryOptions = AuthenticatorOptions;

export function createPsuDirectory(options: PsuDirectoryOptions): PsuDirectory {
  const { db } = options;
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

  return {
    ...createPsuAuthenticator(options),

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
