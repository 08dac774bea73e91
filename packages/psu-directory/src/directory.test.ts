import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openPglite } from './database.js';
import { createPsuDirectory, type PsuDirectory, PsuDirectoryInputError } from './directory.js';
import { hashPassword, verifyPassword } from './password.js';
import { generateTotpSecret, totpAt } from './totp.js';

const database = await openPglite('memory://');
let clock = new Date('2026-01-01T10:00:00Z');
const seconds = () => Math.floor(clock.getTime() / 1000);
let directory: PsuDirectory;
const secret = generateTotpSecret();

beforeAll(async () => {
  await database.migrate();
  directory = createPsuDirectory({
    db: database.db,
    maxFailedAttempts: 5,
    lockSeconds: 600,
    now: () => clock,
  });
  await directory.addPsu({
    psuId: 'psu-1',
    displayName: 'Alice Martin',
    password: 'correct horse',
    totpSecret: secret,
  });
});
afterAll(async () => {
  await database.close();
});

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
  it('accepts the password, then the current code once only', async () => {
    const first = await directory.checkPassword('psu-1', 'correct horse');
    expect(first).toEqual({ status: 'ok', psu: { psuId: 'psu-1', displayName: 'Alice Martin' } });
    const code = totpAt(secret, seconds());
    expect((await directory.checkOneTimeCode('psu-1', code)).status).toBe('ok');
    // The same step again is a replay.
    expect((await directory.checkOneTimeCode('psu-1', code)).status).toBe('invalid');
    clock = new Date(clock.getTime() + 30_000);
    expect((await directory.checkOneTimeCode('psu-1', totpAt(secret, seconds()))).status).toBe('ok');
  });

  it('says the same for an unknown identifier and a wrong password', async () => {
    expect(await directory.checkPassword('nobody', 'correct horse')).toEqual({ status: 'invalid' });
    expect(await directory.checkPassword('bad id with spaces', 'x')).toEqual({ status: 'invalid' });
    expect(await directory.checkPassword('psu-1', 'wrong')).toEqual({ status: 'invalid' });
  });

  it('locks after five failures of either factor, for the configured time, then counts again', async () => {
    clock = new Date(clock.getTime() + 60_000);
    // One failure is already counted by the previous test; a success clears it.
    await directory.checkOneTimeCode('psu-1', totpAt(secret, seconds()));
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect((await directory.checkPassword('psu-1', 'wrong')).status).toBe('invalid');
    }
    expect((await directory.checkOneTimeCode('psu-1', '000000')).status).toBe('invalid');
    const fifth = await directory.checkPassword('psu-1', 'wrong');
    expect(fifth).toEqual({ status: 'locked', until: new Date(clock.getTime() + 600_000) });
    // The right password does not help while locked, nor does the right code.
    expect((await directory.checkPassword('psu-1', 'correct horse')).status).toBe('locked');
    expect((await directory.checkOneTimeCode('psu-1', totpAt(secret, seconds()))).status).toBe('locked');

    clock = new Date(clock.getTime() + 601_000);
    expect((await directory.checkPassword('psu-1', 'correct horse')).status).toBe('ok');
    // After the lock, one failure is one failure, not a sixth.
    expect((await directory.checkPassword('psu-1', 'wrong')).status).toBe('invalid');
    expect((await directory.checkOneTimeCode('psu-1', totpAt(secret, seconds()))).status).toBe('ok');
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
    ]);
    expect(await directory.findPsu('psu-2')).toEqual({ psuId: 'psu-2', displayName: 'Bob' });
    expect(await directory.findPsu('psu-3')).toBeUndefined();
    await expect(
      directory.addPsu({ psuId: 'x y', displayName: 'X', password: 'password' }),
    ).rejects.toBeInstanceOf(PsuDirectoryInputError);
  });
});
