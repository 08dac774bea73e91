import { createHash, randomFillSync } from 'node:crypto';

/*
 * Random bytes are drawn from the CSPRNG 4 KiB at a time (as Node's randomUUID does): one call per 128
 * tokens instead of one per token, on the token endpoint's hot path. Each slice is encoded at once
 * and handed out once; the pool is refilled before any byte could be served twice.
 */
const pool = Buffer.alloc(4096);
let offset = pool.length;

function randomSlice(size: number): Buffer {
  if (offset + size > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const slice = pool.subarray(offset, offset + size);
  offset += size;
  return slice;
}

/** A new opaque token, code or registration access token: 256 random bits, base64url (43 characters). */
export function generateOpaqueToken(): string {
  return randomSlice(32).toString('base64url');
}

/** What the store keys a secret by: its SHA-256. The value itself is never stored. */
export function hashSecret(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** A new grant identifier: 128 random bits, base64url. */
export function generateGrantId(): string {
  return randomSlice(16).toString('base64url');
}

/** A new payment request identifier: 128 random bits, base64url (it travels in the customer's browser). */
export function generatePaymentRequestId(): string {
  return randomSlice(16).toString('base64url');
}

/** RFC 9126 §2.2: the `request_uri` of a pushed request, a URN with 256 random bits. */
export function generateRequestUri(): string {
  return `urn:ietf:params:oauth:request_uri:${generateOpaqueToken()}`;
}
