import { hashSecret } from './secrets.js';

/*
 * Every key of the token store on Redis, under a configurable prefix (default `psd2:`). The one place
 * key names are made, for one Redis and a Redis Cluster alike:
 *   c:<sha256(code)>        'A'|'U' + JSON code record          TTL: code lifetime, then retention once used
 *   g:<grantId>             JSON grant record                   TTL: grant expiry; deleting it revokes the grant
 *   a:<sha256(token)>       binary access token record          TTL: token lifetime
 *   r:<sha256(token)>       'A' + JSON refresh record, or       TTL: grant expiry
 *                           'U<rotated at, ms>:<successor's sha256>:' + JSON once rotated (kept to detect reuse)
 *   x:<clientId>            the client's marker (client-markers.ts): deleted, suspended or a period
 *   s:<sha256(subject)>     the subject's grant ids (redis-grant-index.ts)
 *   u:{<prefix>g:<grantId>} the grant's last use (redis-grant-usage.ts)   TTL: the grant's remaining life
 *   p:<paymentRequestId>    payment request (redis-payments.ts)
 *   q:<sha256(request_uri)> pushed request (redis-payments.ts)
 *
 * Redis Cluster: a script or a MULTI may only touch keys of one hash slot. Every one of them touches a
 * single key except the grant-usage script, which reads the grant's TTL: its usage key carries the
 * grant key's whole name as hash tag, so both hash to the slot of `g:<grantId>` (a key without braces
 * hashes by its whole name). Operations that read several records (a token with its grant and its
 * client's marker) send one command per key in the same round trip (auto-pipelining), each routed to
 * its own master; docs/token-store.md says why that keeps every guarantee.
 *
 * The names are those of the single-Redis versions before clusters were supported, except `u:`: an
 * upgrade keeps every code, grant, token, marker and index, and forgets only the grants' last-use
 * times (the customer page shows "not used yet" until the next use).
 */

export interface TokenStoreKeys {
  code(code: string): string;
  grant(grantId: string): string;
  access(token: string): string;
  accessOfHash(hash: string): string;
  refresh(token: string): string;
  refreshOfHash(hash: string): string;
  client(clientId: string): string;
  subjectIndex(subject: string): string;
  /** The grant's last use, in the grant's slot; undefined for an id that could not share it. */
  grantUsage(grantId: string): string | undefined;
  paymentRequest(paymentRequestId: string): string;
  pushedRequest(requestUri: string): string;
}

/** Braces in a prefix would make Redis Cluster hash every key by a part of the prefix. */
export const KEY_PREFIX_PATTERN = /^[^{}]*$/;

export function tokenStoreKeys(prefix: string): TokenStoreKeys {
  if (!KEY_PREFIX_PATTERN.test(prefix)) throw new Error('a Redis key prefix must not contain { or }');
  const grant = (grantId: string) => `${prefix}g:${grantId}`;
  const accessOfHash = (hash: string) => `${prefix}a:${hash}`;
  const refreshOfHash = (hash: string) => `${prefix}r:${hash}`;
  return {
    code: (code) => `${prefix}c:${hashSecret(code)}`,
    grant,
    access: (token) => accessOfHash(hashSecret(token)),
    accessOfHash,
    refresh: (token) => refreshOfHash(hashSecret(token)),
    refreshOfHash,
    client: (clientId) => `${prefix}x:${clientId}`,
    subjectIndex: (subject) => `${prefix}s:${hashSecret(subject)}`,
    // Ids the store makes are base64url; one with a brace (only ever from outside) gets no usage key.
    grantUsage: (grantId) => (/[{}]/.test(grantId) ? undefined : `${prefix}u:{${grant(grantId)}}`),
    paymentRequest: (paymentRequestId) => `${prefix}p:${paymentRequestId}`,
    pushedRequest: (requestUri) => `${prefix}q:${hashSecret(requestUri)}`,
  };
}
