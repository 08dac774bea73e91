import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { FirstFactor } from './authenticator.js';
import { countingScrypt } from './counting-verifier.test-support.js';
import { openPglite } from './database.js';
import { createPsuDirectory, type PsuDirectory, PsuDirectoryInputError } from './directory.js';
import { hashPassword, verifyPassword } from './password.js';
import { generateTotpSecret, totpAt } from './totp.js';

const database = await openPglite('memory://');
let clock = new Date('2026-01-01T10:00:00Z');
const seconds = () => Math.floor(clock.getTime() / 1000);
const tick = (ms = 30_000) => {
  clock = new Date(clock.getTime() + ms);
};
let directory: PsuDirectory;
const secret = generateTotpSecret();

const { counts: work, verifier: countingVerifier } = countingScrypt();

beforeAll(async () => {
  await database.migrate();
  directory = createPsuDirectory({
    db: database.db,
    maxFailedAttempts: 5,
    lockSeconds: 600,
    now: () => clock,
    verifier: countingVerifier,
  });
  for (const psuId of ['psu-1', 'psu-lock']) {
    await directory.addPsu({
      psuId,
      displayName: 'Alice Martin',
      password: 'correct horse',
      totpSecret: secret,
    });
  }
});
afterAll(async () => {
  await database.close();
});
beforeEach(() => {
  work.verify = 0;
  work.burn = 0;
});

/** One whole sign-in: the password, then the code, as the pages drive it. */
async function signIn(psuId: string, password: string, code = totpAt(secret, seconds())) {
  const first = await directory.checkPassword(psuId, password);
  return directory.checkOneTimeCode(first, code);
}

describe('password hashing', () => {
  it('stores a salted scrypt hash and verifies it', async () => {
    const hash = await hashPassword('s3cret-pass');
    expect(hash).toMatch(/^scrypt\$15\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(hash).not.toContain('s3cret-pass');
    expect(await hashPassword('s3cret-pass')).not.toBe(hash);
    expect(await verifyPassword('s3cret-pass', hash)).toBe(true);
    expect(await verifyPassword('s3cret-pasS', hash)).toBe(false);
    expect(await verifyPassword('s3cret-pass', 'garbage')).toBe(false);
  });
});

describe('the built-in PSU directory', () => {
  it('accepts the password and then the current code, once only', async () => {
    tick();
    const first = await directory.checkPassword('psu-1', 'correct horse');
    expect(first).toEqual({ customerId: 'psu-1', passed: true });
    const code = totpAt(secret, seconds());
    expect(await directory.checkOneTimeCode(first, code)).toEqual({
      status: 'ok',
      psu: { psuId: 'psu-1', displayName: 'Alice Martin' },
    });
    // The same step again, even behind the right password, is a replay.
    expect(await signIn('psu-1', 'correct horse', code)).toEqual({
      status: 'refused',
      reason: 'replayed_code',
    });
    tick();
    expect((await signIn('psu-1', 'correct horse')).status).toBe('ok');
  });

  it('never checks the code of a refused password: the right code does not help', async () => {
    tick();
    expect(await signIn('psu-1', 'wrong')).toEqual({ status: 'refused', reason: 'wrong_password' });
    // And the refusal counted: the next success is what gives the attempt back.
    expect((await signIn('psu-1', 'correct horse')).status).toBe('ok');
  });

  it('costs one scrypt check for a known, an unknown, a malformed and a locked identifier alike', async () => {
    const refusedFirst: FirstFactor[] = [];
    for (const customerId of ['psu-1', 'nobody', 'bad id with spaces']) {
      refusedFirst.push(await directory.checkPassword(customerId, 'wrong password'));
    }
    expect(work).toEqual({ verify: 1, burn: 2 });
    expect(refusedFirst.map((first) => first.passed)).toEqual([false, false, false]);
    expect(refusedFirst.map((first) => first.refusal)).toEqual([
      'wrong_password',
      'unknown_or_locked',
      'unknown_or_locked',
    ]);
    tick();
    expect((await signIn('psu-1', 'correct horse')).status).toBe('ok');
  });

  it('locks after five failed attempts of either factor, for the configured time, then counts again', async () => {
    tick();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(await signIn('psu-lock', 'wrong')).toEqual({ status: 'refused', reason: 'wrong_password' });
    }
    // The right password with a wrong code is a failed attempt too.
    expect(await signIn('psu-lock', 'correct horse', '000000')).toEqual({
      status: 'refused',
      reason: 'wrong_code',
    });
    // The fifth failure is the one that locks, and says so (for the lockout metric only).
    expect(await signIn('psu-lock', 'wrong')).toEqual({
      status: 'refused',
      reason: 'wrong_password',
      lockedOut: true,
    });
    work.verify = 0;
    work.burn = 0;
    // Locked: the right password and the right code are refused, and the real hash is not even checked.
    tick();
    expect(await signIn('psu-lock', 'correct horse')).toEqual({
      status: 'refused',
      reason: 'unknown_or_locked',
    });
    expect(work).toEqual({ verify: 0, burn: 1 });

    tick(601_000);
    expect((await signIn('psu-lock', 'correct horse')).status).toBe('ok');
    // After the lock, and after a success, one failure is one failure, not a sixth.
    for (let attempt = 1; attempt <= 4; attempt += 1)
      expect((await signIn('psu-lock', 'wrong')).status).toBe('refused');
    tick();
    expect((await signIn('psu-lock', 'correct horse')).status).toBe('ok');
  });

  it('lets the attempt that reached the limit finish its own sign-in', async () => {
    tick(601_000);
    for (let attempt = 1; attempt <= 4; attempt += 1) await signIn('psu-lock', 'wrong');
    tick();
    // The fifth attempt sets the lock as it is reserved; its own code step still counts.
    const fifth = await directory.checkPassword('psu-lock', 'correct horse');
    expect(fifth).toEqual({ customerId: 'psu-lock', passed: true, lastAttempt: true });
    expect((await directory.checkPassword('psu-lock', 'correct horse')).passed).toBe(false);
    expect((await directory.checkOneTimeCode(fifth, totpAt(secret, seconds()))).status).toBe('ok');
    tick();
    expect((await signIn('psu-lock', 'correct horse')).status).toBe('ok');
  });

  it('lists and finds PSUs, and seeds idempotently', async () => {
    expect(
      await directory.addPsuIfAbsent({ psuId: 'psu-2', displayName: 'Bob', password: 'password-2' }),
    ).toBe(true);
    expect(
      await directory.addPsuIfAbsent({ psuId: 'psu-2', displayName: 'Bob', password: 'password-2' }),
    ).toBe(false);
    expect(await directory.listPsus(10)).toEqual([
      { psuId: 'psu-1', displayName: 'Alice Martin' },
      { psuId: 'psu-2', displayName: 'Bob' },
      { psuId: 'psu-lock', displayName: 'Alice Martin' },
    ]);
    expect(await directory.findPsu('psu-2')).toEqual({ psuId: 'psu-2', displayName: 'Bob' });
    expect(await directory.findPsu('psu-3')).toBeUndefined();
    await expect(
      directory.addPsu({ psuId: 'x y', displayName: 'X', password: 'password' }),
    ).rejects.toBeInstanceOf(PsuDirectoryInputError);
  });
});
