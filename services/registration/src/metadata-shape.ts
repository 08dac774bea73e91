import type { JsonWebKeySet } from '@psd2/client-registry-client';
import { InvalidClientMetadataError } from '@psd2/oauth-errors';
import { z } from 'zod';

/*
 * The shape of the JSON members before anything else reads them. A registration body is small (the body
 * limit), but small is not shallow: `{"jwks":[[[[…` 6000 levels deep is 12 KB, and every recursive walk
 * over it (a serializer, the database's jsonb input) overflows a stack. So the depth of the whole body
 * is measured first, iteratively, and `jwks` is held to what RFC 7517 allows: a JWK is a flat object.
 */

/** `{ "jwks": { "keys": [ { "key_ops": [ "verify" ] } ] } }` is 5 deep; nothing legitimate goes further. */
export const MAX_METADATA_DEPTH = 6;
const MAX_KEYS = 20;
/** RFC 7517 §4.7: a certificate chain; a few certificates of a few KB each. */
const MAX_X5C = 10;
const MAX_MEMBER_LENGTH = 8192;
const MAX_MEMBERS_PER_KEY = 32;
/** RFC 7517 §4, RFC 7518 §6: members that only private or symmetric keys carry. */
const PRIVATE_KEY_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

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

const member = z.string().max(MAX_MEMBER_LENGTH);

/**
 * RFC 7517 §4 and RFC 7518 §6 public key members, each a string (key_ops and x5c arrays of strings).
 * RFC 7517 §4 says members not understood are ignored, so other members are let through, but only as
 * flat scalars: a JWK is never a tree.
 */
const publicJwk = z
  .object({
    kty: z.string().min(1).max(64),
    use: member.optional(),
    key_ops: z.array(z.string().max(64)).max(8).optional(),
    alg: member.optional(),
    kid: member.optional(),
    x5u: member.optional(),
    x5c: z.array(member).max(MAX_X5C).optional(),
    x5t: member.optional(),
    'x5t#S256': member.optional(),
    n: member.optional(),
    e: member.optional(),
    crv: member.optional(),
    x: member.optional(),
    y: member.optional(),
  })
  .catchall(z.union([z.string().max(MAX_MEMBER_LENGTH), z.number(), z.boolean()]))
  .refine((key) => Object.keys(key).length <= MAX_MEMBERS_PER_KEY, {
    message: `a key has at most ${MAX_MEMBERS_PER_KEY} members`,
  });

function where(path: readonly PropertyKey[]): string {
  return path.map((step) => (typeof step === 'number' ? `[${step}]` : `.${String(step)}`)).join('');
}

/**
 * RFC 7591 §2 `jwks` (by value) or `jwks_uri` (by reference), never both. A JWK Set has a `keys` array
 * (RFC 7517 §5); only public keys belong in a client's metadata, since it is shown back to the client and
 * stored: a private or symmetric member (RFC 7518 §6.2.2, §6.3.2, §6.4.1) is refused.
 */
export function checkJwks(value: unknown, jwksUri: string | undefined): JsonWebKeySet | undefined {
  if (value === undefined || value === null) return undefined;
  if (jwksUri !== undefined) throw metadataError('jwks and jwks_uri must not both be present (RFC 7591 §2).');
  if (typeof value !== 'object' || Array.isArray(value))
    throw metadataError('jwks must be a JWK Set object.');
  const keys: unknown = Reflect.get(value, 'keys');
  if (!Array.isArray(keys)) throw metadataError('jwks must have a "keys" array (RFC 7517 §5).');
  if (keys.length === 0 || keys.length > MAX_KEYS) {
    throw metadataError(`jwks must hold from 1 to ${MAX_KEYS} keys.`);
  }
  for (const key of keys as unknown[]) {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) {
      throw metadataError('each entry of jwks.keys must be a JWK object.');
    }
    if (typeof Reflect.get(key, 'kty') !== 'string') {
      throw metadataError('each key in jwks must have a "kty" member (RFC 7517 §4.1).');
    }
    for (const privateMember of PRIVATE_KEY_MEMBERS) {
      if (Reflect.get(key, privateMember) !== undefined) {
        throw metadataError(
          `jwks must contain public keys only: remove the private member "${privateMember}".`,
        );
      }
    }
  }
  const parsed = z.object({ keys: z.array(publicJwk) }).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue === undefined ? '' : where(issue.path);
    throw metadataError(
      `jwks${path.slice(0, 100)}: ${issue?.message ?? 'invalid'} (a JWK is a flat object of string members, RFC 7517 §4).`,
    );
  }
  return parsed.data;
}
