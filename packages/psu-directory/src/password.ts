import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/*
 * Password storage with scrypt (RFC 7914) from node:crypto: a memory-hard slow hash, no native
 * dependency. The parameters travel inside the stored string, so they can be raised later without
 * invalidating existing hashes.
 */

const PREFIX = 'scrypt';
// N = 2^15, r = 8, p = 1: about 32 MiB and some tens of milliseconds per check, OWASP's scrypt baseline.
const DEFAULT_PARAMS = { logN: 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

interface ScryptParams {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

function derive(password: string, salt: Buffer, params: ScryptParams, keyLength: number): Promise<Buffer> {
  const N = 2 ** params.logN;
  return new Promise((resolve, reject) => {
    // maxmem must exceed 128 * N * r bytes, or node refuses the parameters.
    scrypt(
      password.normalize('NFKC'),
      salt,
      keyLength,
      { N, r: params.r, p: params.p, maxmem: 256 * N * params.r },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, params, KEY_LENGTH);
  return [
    PREFIX,
    params.logN,
    params.r,
    params.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return undefined;
  const [logN, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  if (logN === undefined || r === undefined || p === undefined) return undefined;
  if (![logN, r, p].every((value) => Number.isInteger(value) && value > 0) || logN > 20) return undefined;
  if (salt.length === 0 || key.length === 0) return undefined;
  return { params: { logN, r, p }, salt, key };
}

/** Constant-time comparison of the derived key; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (parsed === undefined) return false;
  const key = await derive(password, parsed.salt, parsed.params, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/**
 * Spends the same time as a real check, for unknown or locked customer identifiers: the response time
 * must not tell whether an identifier exists or is blocked.
 */
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('not a password of anyone');
  await verifyPassword(password, await dummyHash);
}

/** The slow hash as the sign-in uses it; injectable, so tests can count the checks actually run. */
export interface PasswordVerifier {
  verify(password: string, stored: string): Promise<boolean>;
  /** The same work against a hash of nobody. */
  burn(password: string): Promise<void>;
}

export const scryptVerifier: PasswordVerifier = { verify: verifyPassword, burn: burnPasswordCheck };
