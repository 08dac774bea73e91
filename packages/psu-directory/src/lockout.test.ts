import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createIsolatedSchema, type IsolatedSchema } from '@psd2/testing';
import { createCheckGate } from './check-gate.js';
import { countingScrypt } from './counting-verifier.test-support.js';
import { connectPostgres, type DirectoryDatabase } from './database.js';
import { createPsuDirectory, type PsuDirectory } from './directory.js';
import { generateTotpSecret, totpAt } from './totp.js';

/*
 * The lockout under concurrency, on real PostgreSQL: the attempt is reserved by one UPDATE … RETURNING
 * before any hashing, so 50 wrong guesses at once get at most five real password checks.
 */

let schema: IsolatedSchema;
let database: DirectoryDatabase;
let directory: PsuDirectory;
const secret = generateTotpSecret();
const { counts: checked, verifier: countingVerifier } = countingScrypt();

beforeAll(async () => {
  schema = await createIsolatedSchema('psu-lockout');
  database = connectPostgres({ url: schema.url, poolSize: 10 });
  await database.migrate();
  directory = createPsuDirectory({
    db: database.db,
    maxFailedAttempts: 5,
    lockSeconds: 600,
    verifier: countingVerifier,
    // Room for all 50 at once: this test is about the lockout, not about the gate.
    gate: createCheckGate({ concurrency: 4, queueLimit: 100, queueTimeoutMs: 60_000 }),
  });
  await directory.addPsu({
    psuId: 'psu-target',
    displayName: 'Target',
    password: 'the right password',
    totpSecret: secret,
  });
}, 60_000);

afterAll(async () => {
  await database?.close();
  await schema?.drop();
});

describe('50 concurrent wrong passwords on real PostgreSQL', () => {
  it('run at most five password checks, then the right password and code are refused', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 50 }, (_, index) => directory.checkPassword('psu-target', `wrong-${index}`)),
    );
    expect(attempts.every((first) => !first.passed)).toBe(true);
    // Exactly the five the limit allows: the reservation, not luck, stops the rest.
    expect(checked.verify).toBe(5);
    // Every attempt still cost one hash: the locked ones a burnt one.
    expect(checked.verify + checked.burn).toBe(50);

    const right = await directory.checkPassword('psu-target', 'the right password');
    expect(right).toEqual({ customerId: 'psu-target', passed: false, refusal: 'unknown_or_locked' });
    const code = totpAt(secret, Math.floor(Date.now() / 1000));
    expect(await directory.checkOneTimeCode(right, code)).toEqual({
      status: 'refused',
      reason: 'unknown_or_locked',
    });
    expect(checked.verify).toBeLessThanOrEqual(5);
  }, 60_000);
});
