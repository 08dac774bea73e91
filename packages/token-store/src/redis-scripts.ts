/*
 * The Lua scripts that make single use atomic in Redis, and the value prefixes they share with
 * redis-store.ts (key layout in redis-keys.ts). Each touches one key, so each runs on one slot of a
 * Redis Cluster.
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
 * The single-use step of refresh token rotation, on the presented token's key alone (so that it is one
 * slot on a Redis Cluster). The caller has already stored the successor tokens (unreachable until it
 * answers) and read the grant and the client's marker; it finishes what the answer asks
 * (redis-rotation.ts). Answers: a RotationOutcome, or 'repointed' for a retry within the grace window
 * whose old successor the caller must now retire (RETIRE_SUCCESSOR).
 * KEYS: the presented refresh token.
 * ARGV: presenting client id, presenting certificate thumbprint, now (ms), grace (ms), the new refresh
 * token's hash, the expected successor's hash ('' when none), whether the grant exists ('1'|'0'), the
 * client's marker ('0' absent, or '1' .. marker).
 */
export const ROTATE_REFRESH = `
local old = redis.call('GET', KEYS[1])
if not old then return 'unknown' end
local rotatedAt, successor, body = string.match(old, '^${USED}(%d+):([%w_%-]*):(.*)$')
local active = string.sub(old, 1, 1) == '${ACTIVE}'
if active or not body then body = string.sub(old, 2) end
local record = cjson.decode(body)
if record.clientId ~= ARGV[1] then return 'refused' end
-- From here the presenting client is the token's, whose marker ARGV[8] is (client-markers.ts: markerAdmits).
if ARGV[7] ~= '1' then return 'revoked' end
if string.sub(ARGV[8], 1, 1) == '1' then
  local cutoff, refused = string.match(string.sub(ARGV[8], 2), '^C(%d+):(.*)$')
  if not cutoff or tonumber(record.issuedAt) < tonumber(cutoff) then return 'revoked' end
  for held in string.gmatch(record.scope, '%S+') do
    for scope in string.gmatch(refused, '%S+') do
      if held == scope then return 'revoked' end
    end
  end
end
local sameCertificate = record.certificateThumbprint == ARGV[2]
local function retire(at, value)
  redis.call('SET', KEYS[1], '${USED}' .. at .. ':' .. ARGV[5] .. ':' .. value, 'KEEPTTL')
end
if active then
  if not sameCertificate then return 'refused' end
  retire(ARGV[3], body)
  return 'rotated'
end
if not sameCertificate or not rotatedAt or tonumber(ARGV[3]) - tonumber(rotatedAt) >= tonumber(ARGV[4]) then
  return 'reused'
end
if successor ~= ARGV[6] then return 'raced' end
retire(rotatedAt, body)
return 'repointed'
`;

/**
 * A retry within the grace window retires the successor it replaces, unless that successor was used
 * already (then the retry is reuse). KEYS: the replaced successor. ARGV: now (ms), the new refresh
 * token's hash. 1: retired; 0: it was not active.
 */
export const RETIRE_SUCCESSOR = `
local following = redis.call('GET', KEYS[1])
if not following or string.sub(following, 1, 1) ~= '${ACTIVE}' then return 0 end
redis.call('SET', KEYS[1], '${USED}' .. ARGV[1] .. ':' .. ARGV[2] .. ':' .. string.sub(following, 2), 'KEEPTTL')
return 1
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
