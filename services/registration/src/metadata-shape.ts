import { describeIssues, type JsonWebKeySet, jwksSchema } from '@psd2/client-metadata';
import { InvalidClientMetadataError } from '@psd2/oauth-errors';

/*
 * The shape of the JSON members before anything else reads them. A registration body is small (the body
 * limit), but small is not shallow: `{"jwks":[[[[…` 6000 levels deep is 12 KB, and every recursive walk
 * over it (a serializer, the database's jsonb input) overflows a stack. So the depth of the whole body
 * is measured first, iteratively.
 */

/** `{ "jwks": { "keys": [ { "key_ops": [ "verify" ] } ] } }` is 5 deep; nothing legitimate goes further. */
export const MAX_METADATA_DEPTH = 6;
const metadataError = (description: string) => new InvalidClientMetadataError({ description });

/** The depth of a parsed JSON value (a scalar is 0), measured without recursion; stops past `limit`. */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > limit) return true;
    for (const child of Object.values(item.value)) {
      if (typeof child === 'object' && child !== null) pending.push({ value: child, depth });
    }
  }
  return false;
}

/** RFC 7591 §3.1: every member is checked for depth before any rule reads one. */
export function checkMetadataDepth(body: unknown): void {
  if (jsonDepthExceeds(body, MAX_METADATA_DEPTH)) {
    throw metadataError(
      `The client metadata is nested more than ${MAX_METADATA_DEPTH} levels deep: no metadata member is.`,
    );
  }
}

/**
 * RFC 7591 §2 `jwks` (by value) or `jwks_uri` (by reference), never both; the key set itself is held to
 * the shared schema's rules (public keys only, each a flat object).
 */
export function checkJwks(value: unknown, jwksUri: string | undefined): JsonWebKeySet | undefined {
  if (value === undefined || value === null) return undefined;
  if (jwksUri !== undefined) throw metadataError('jwks and jwks_uri must not both be present (RFC 7591 §2).');
  const parsed = jwksSchema.safeParse(value);
  if (!parsed.success) throw metadataError(describeIssues(parsed.error, ['jwks']).description);
  return parsed.data;
}
