import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Registration access tokens (RFC 7592 §1.1) and client ids. A token has 256 random bits, so a fast
 * hash is enough to store it: there is nothing to brute-force, unlike a password.
 */

export function newClientId(): string {
  return randomBytes(16).toString('base64url');
}

export function newRegistrationAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

// Compared against when the client is unknown, so that case costs the same as a wrong token.
const ABSENT_HASH = hashToken(randomBytes(32).toString('base64url'));

/** Constant-time comparison of a presented token with a stored hash (undefined: no such client). */
export function tokenMatches(presented: string, storedHash: string | null | undefined): boolean {
  const expected = Buffer.from(storedHash ?? ABSENT_HASH, 'base64url');
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  // Both are SHA-256 digests, so the lengths match and timingSafeEqual cannot throw.
  return expected.length === actual.length && timingSafeEqual(expected, actual) && storedHash != null;
}
