import { createHash, randomBytes } from 'node:crypto';

/** A new opaque token, code or registration access token: 256 random bits, base64url (43 characters). */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the store keys a secret by: its SHA-256. The value itself is never stored. */
export function hashSecret(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** A new grant identifier: 128 random bits, base64url. */
export function generateGrantId(): string {
  return randomBytes(16).toString('base64url');
}
