/*
 * The Lua scripts that make single use atomic in Redis, and the value prefixes they share with
 * redis-store.ts (key layout described there).
 */

export const ACTIVE = 'A';
export const USED = 'U';
/** A rotated refresh record: `U<ms>:<successor>:<json>` (records rotated by older versions: `U<json>`). */
export const ROTATED_REFRESH = /^U(\d+):([\w-]*):/;

/**
 * Atomic single use of a code (RFC 6749 §4.1.2): the first call of the owning client wins, its later
 * ones see 'replayed'; another client's call changes nothing. KEYS: code. ARGV: retention, client id.
 */
export const REDEEM_CODE = `
local value = redis.call('GET', KEYS[1])
if not value then return {'unknown'} end
local body = string.sub(value, 2)
if cjson.decode(body).clientId ~= ARGV[2] then return {'foreign'} end
if string.sub(value, 1, 1) == '${USED}' then return {'replayed', body} end
redis.call('SET', KEYS[1], '${USED}' .. body, 'EX', ARGV[1])
return {'redeemed', body}
`;

/**
 * Atomic refresh token rotation, retry within the grace window, or reuse (see RotationOutcome).
 * KEYS: old refresh, grant, client revocation, new refresh, new access, the expected successor (the
 * old refresh key again when none is expected).
 * ARGV: new refresh record (JSON), its TTL, new access value, its TTL, presenting client id,
 * presenting certificate thumbprint, now (ms), grace (ms), new refresh key's hash, expected successor's
 * hash ('' when none).
 */
export const ROTATE_REFRESH = `
local old = redis.call('GET', KEYS[1])
if not old then return 'unknown' end
local rotatedAt, successor, body = string.match(old, '^${USED}(%d+):([%w_%-]*):(.*)$')
local active = string.sub(old, 1, 1) == '${ACTIVE}'
if active or not body then body = string.sub(old, 2) end
local record = cjson.decode(body)
if record.clientId ~= ARGV[5] then return 'refused' end
-- From here the presenting client is the token's, whose marker KEYS[3] is (client-markers.ts: markerAdmits).
if redis.call('EXISTS', KEYS[2]) == 0 then return 'revoked' end
local marker = redis.call('GET', KEYS[3])
if marker then
  local cutoff, refused = string.match(marker, '^C(%d+):(.*)$')
  if not cutoff or tonumber(record.issuedAt) < tonumber(cutoff) then return 'revoked' end
  for held in string.gmatch(record.scope, '%S+') do
    for scope in string.gmatch(refused, '%S+') do
      if held == scope then return 'revoked' end
    end
  end
end
local sameCertificate = record.certificateThumbprint == ARGV[6]
local function storeNext()
  redis.call('SET', KEYS[4], '${ACTIVE}' .. ARGV[1], 'EX', ARGV[2])
  redis.call('SET', KEYS[5], ARGV[3], 'EX', ARGV[4])
end
local function retire(key, at, value)
  redis.call('SET', key, '${USED}' .. at .. ':' .. ARGV[9] .. ':' .. value, 'KEEPTTL')
end
if active then
  if not sameCertificate then return 'refused' end
  retire(KEYS[1], ARGV[7], body)
  storeNext()
  return 'rotated'
end
if not sameCertificate or not rotatedAt or tonumber(ARGV[7]) - tonumber(rotatedAt) >= tonumber(ARGV[8]) then
  redis.call('DEL', KEYS[2])
  return 'reused'
end
if successor ~= ARGV[10] then return 'raced' end
local following = redis.call('GET', KEYS[6])
if not following or string.sub(following, 1, 1) ~= '${ACTIVE}' then
  redis.call('DEL', KEYS[2])
  return 'reused'
end
retire(KEYS[6], ARGV[7], string.sub(following, 2))
retire(KEYS[1], rotatedAt, body)
storeNext()
return 'retried'
`;

/**
 * Compare-and-set of a client marker, so that the rules of client-markers.ts stay in one place (the
 * caller reads, decides in JavaScript, and retries if the marker changed meanwhile).
 * KEYS: marker. ARGV: expected ('0' absent, or '1' .. value), next ('0' delete, or '1' .. value),
 * TTL in seconds ('0': none, 'keep': the current one's).
 */
export const SET_CLIENT_MARKER = `
local current = redis.call('GET', KEYS[1])
local seen = '0'
if current then seen = '1' .. current end
if seen ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then
  redis.call('DEL', KEYS[1])
elseif ARGV[3] == '0' then
  redis.call('SET', KEYS[1], string.sub(ARGV[2], 2))
elseif ARGV[3] == 'keep' then
  redis.call('SET', KEYS[1], string.sub(ARGV[2], 2), 'KEEPTTL')
else
  redis.call('SET', KEYS[1], string.sub(ARGV[2], 2), 'EX', ARGV[3])
end
return 1
`;
