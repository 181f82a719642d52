/**
 * Lua scripts that change the rules atomically in Redis: a whole batch, or nothing. Every script
 * decides first and writes last (a Redis script is not rolled back when it fails half-way), reads the
 * clock with Redis TIME (one clock for every replica) and bumps the global revision once per change.
 *
 * Keys: rules (hash `Kind/ns/name` → record JSON) · rev (the global revision counter, never reset).
 * A record is `{"revision","resourceVersion","createdAt","updatedAt","digest", …body}`, where the body
 * (key, kind, namespace, name, raw, document) is written by the caller and never decoded here beyond
 * reading the bookkeeping fields: cjson would turn `[]` into `{}` on a round trip.
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * KEYS: rules, rev · ARGV: dryRun ('1'|'0'), then (key, digest, bodyJson) per document
 * → {revision, then (action, revision) per document}; action created | configured | unchanged.
 * The revision is the counter after the batch (one increment when anything changed).
 */
export const APPLY_RULES = `${NOW}
local dry = ARGV[1] == '1'
local n = (#ARGV - 1) / 3
local actions, created, revs = {}, {}, {}
local changed = false
for i = 1, n do
  local old = redis.call('HGET', KEYS[1], ARGV[3 * i - 1])
  if not old then
    actions[i], created[i], changed = 'created', now, true
  else
    local o = cjson.decode(old)
    created[i] = tonumber(o.createdAt)
    if o.digest == ARGV[3 * i] then
      actions[i], revs[i] = 'unchanged', tonumber(o.revision)
    else
      actions[i], changed = 'configured', true
    end
  end
end
local rev = tonumber(redis.call('GET', KEYS[2]) or '0')
if changed then rev = rev + 1 end
if changed and not dry then redis.call('SET', KEYS[2], rev) end
local out = {rev}
for i = 1, n do
  if actions[i] ~= 'unchanged' then
    revs[i] = rev
    if not dry then
      local head = string.format('{"revision":%d,"resourceVersion":"%d","createdAt":%d,"updatedAt":%d,"digest":"%s",',
        rev, rev, created[i], now, ARGV[3 * i])
      redis.call('HSET', KEYS[1], ARGV[3 * i - 1], head .. string.sub(ARGV[3 * i + 1], 2))
    end
  end
  table.insert(out, actions[i])
  table.insert(out, revs[i])
end
return out
`;

/**
 * KEYS: rules, rev · ARGV: dryRun ('1'|'0'), then the keys to delete
 * → {revision, then 1|0 per key (it existed)}; the revision is bumped once when anything existed.
 */
export const DELETE_RULES = `
local dry = ARGV[1] == '1'
local existed = {}
local any = false
for i = 2, #ARGV do
  existed[i - 1] = redis.call('HEXISTS', KEYS[1], ARGV[i])
  if existed[i - 1] == 1 then any = true end
end
local rev = tonumber(redis.call('GET', KEYS[2]) or '0')
if any then
  rev = rev + 1
  if not dry then
    redis.call('SET', KEYS[2], rev)
    for i = 2, #ARGV do
      if existed[i - 1] == 1 then redis.call('HDEL', KEYS[1], ARGV[i]) end
    end
  end
end
local out = {rev}
for i = 1, #existed do table.insert(out, existed[i]) end
return out
`;
