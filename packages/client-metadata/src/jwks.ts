import { z } from 'zod';

/*
 * RFC 7591 §2 `jwks`: a JWK Set (RFC 7517 §5) of public keys, shown back to the client and stored. A JWK
 * is a flat object: members not understood are let through (RFC 7517 §4) but only as scalars, and a
 * private or symmetric member (RFC 7518 §6.2.2, §6.3.2, §6.4.1) is refused.
 */

/** A JWK Set (RFC 7517 §5). */
export interface JsonWebKeySet {
  readonly keys: readonly unknown[];
  readonly [member: string]: unknown;
}

const MAX_KEYS = 20;
/** RFC 7517 §4.7: a certificate chain; a few certificates of a few KB each. */
const MAX_X5C = 10;
const MAX_MEMBER_LENGTH = 8192;
const MAX_MEMBERS_PER_KEY = 32;
const PRIVATE_KEY_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

const member = z.string().max(MAX_MEMBER_LENGTH);

/** RFC 7517 §4 and RFC 7518 §6 public key members, each a string (key_ops and x5c arrays of strings). */
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

const publicJwks = z.object({ keys: z.array(publicJwk) });

function where(path: readonly PropertyKey[]): string {
  return path.map((step) => (typeof step === 'number' ? `[${step}]` : `.${String(step)}`)).join('');
}

/** What is wrong with a JWK Set, in words for the TPP; undefined when it is a set of public keys. */
function jwksProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be a JWK Set object.';
  const keys: unknown = Reflect.get(value, 'keys');
  if (!Array.isArray(keys)) return 'must have a "keys" array (RFC 7517 §5).';
  if (keys.length === 0 || keys.length > MAX_KEYS) return `must hold from 1 to ${MAX_KEYS} keys.`;
  for (const key of keys as unknown[]) {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) {
      return '.keys must hold JWK objects only.';
    }
    if (typeof Reflect.get(key, 'kty') !== 'string')
      return '.keys: each key must have a "kty" member (RFC 7517 §4.1).';
    for (const privateMember of PRIVATE_KEY_MEMBERS) {
      if (Reflect.get(key, privateMember) !== undefined) {
        return `must contain public keys only: remove the private member "${privateMember}".`;
      }
    }
  }
  const parsed = publicJwks.safeParse(value);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  const path = issue === undefined ? '' : where(issue.path).slice(0, 100);
  return `${path}: ${issue?.message ?? 'invalid'} (a JWK is a flat object of string members, RFC 7517 §4).`;
}

/** Issues name the member with `{field}`; see issues.ts. */
export const jwksSchema = z.unknown().transform((value, context): JsonWebKeySet => {
  const problem = jwksProblem(value);
  if (problem !== undefined) {
    context.addIssue({ code: 'custom', message: `{field}${problem.startsWith('.') ? '' : ' '}${problem}` });
    return z.NEVER;
  }
  return value as JsonWebKeySet;
});
