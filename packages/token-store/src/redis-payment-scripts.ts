/*
 * The Lua scripts of payment consent on Redis (key layout in redis-payments.ts). A payment request is a
 * hash whose `record` field (the JSON as registered) is never rewritten: a decision, a bound token and
 * a completion are fields of their own, so no script re-encodes JSON (cjson would reorder keys and
 * round numbers) and every update leaves the key's TTL as it is.
 */

/**
 * Stores a new request, replacing any request of that id. KEYS: request.
 * ARGV: record (JSON), its `expiresAt` (the decision deadline), TTL (s).
 */
export const CREATE_PAYMENT_REQUEST = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'record', ARGV[1], 'status', 'pending', 'expiresAt', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

/**
 * The customer's decision, once: only a pending request, only before its `expiresAt`.
 * KEYS: request. ARGV: 'approved'|'rejected', decision fields (JSON), decidedAt, grant id ('' if none).
 */
export const DECIDE_PAYMENT_REQUEST = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'unknown' end
if status ~= 'pending' then return 'not_pending' end
if tonumber(ARGV[3]) >= tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) then return 'expired' end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'decision', ARGV[2], 'grantId', ARGV[4])
return 'decided'
`;

/** Binds the issued token to an existing request; never creates a key (it would have no TTL). */
export const BIND_PAYMENT_TOKEN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'token', ARGV[1])
return 1
`;

/**
 * The payment executed or cancelled: an approved request takes that status. The caller has deleted its
 * grant just before, so the consent's token is inactive the moment the payment API hears 'completed'.
 * KEYS: request. ARGV: 'executed'|'cancelled', completedAt, the grant id read ('' if none).
 * 'raced' when the request's grant is not the one read (cannot happen once approved: the grant is
 * written with the approval and never changed); nothing is changed then.
 */
export const COMPLETE_PAYMENT_REQUEST = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'unknown' end
if status ~= 'approved' then return 'not_approved' end
local grantId = redis.call('HGET', KEYS[1], 'grantId') or ''
if grantId ~= ARGV[3] then return 'raced' end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'completedAt', ARGV[2])
return 'completed'
`;

/**
 * RFC 9126 §4 single use of a pushed request by the client that pushed it; another client's attempt
 * changes nothing. KEYS: pushed request. ARGV: presenting client id, now (s).
 */
export const USE_PUSHED_REQUEST = `
local value = redis.call('GET', KEYS[1])
if not value then return {'unknown'} end
local record = cjson.decode(value)
if tonumber(record.expiresAt) <= tonumber(ARGV[2]) then return {'unknown'} end
if record.clientId ~= ARGV[1] then return {'foreign'} end
redis.call('DEL', KEYS[1])
return {'used', value}
`;
