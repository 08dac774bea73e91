import type { ClientRow } from './db/schema.js';
import { RegistryError } from './errors.js';

/* The list's opaque page token: the creation time and id of the last client returned (keyset pagination). */

export function encodePageToken(row: ClientRow): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.clientId])).toString('base64url');
}

export function decodePageToken(token: string): { createdAt: string; clientId: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [createdAt, clientId] = parsed as unknown[];
      if (
        typeof createdAt === 'string' &&
        typeof clientId === 'string' &&
        !Number.isNaN(Date.parse(createdAt))
      ) {
        return { createdAt, clientId };
      }
    }
  } catch {
    // Falls through to the error below: a token that does not parse is the caller's mistake.
  }
  throw new RegistryError('invalid_argument', 'page_token is not one this registry issued');
}
