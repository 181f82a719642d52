/**
 * Lua scripts that change registry state atomically in Redis. Every script reads the clock with
 * Redis TIME (one clock for all replicas) and bumps the per-service revision counter on each change,
 * returning what changed so the caller publishes exactly one event per change.
 *
 * Keys: svc:<ns>/<name> (hash: spec, source, createdAt, updatedAt) · svcs (set of <ns>/<name>) ·
 * inst:<ns>/<name> (hash id → instance JSON) · rev:<ns>/<name> (counter, never deleted) ·
 * ttl (zset <ns>/<name>/<id> → next deadline in ms).
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

const STATUS = `
local function status_of(i)
  if i.draining then return 'draining' end
  if i.ttl == 'expired' or i.probe == 'failing' then return 'unhealthy' end
  return 'healthy'
end
`;

/**
 * KEYS: svc, svcs, rev, inst · ARGV: member, specJson, source
 * → {changed(0|1), revision, createdAt, updatedAt, then (revision, instanceJson) per instance whose
 * probe state changed because the health check was added (→ unknown) or removed (→ none)}
 */
export const UPSERT_SERVICE = `${NOW}${STATUS}
local cur = redis.call('HMGET', KEYS[1], 'spec', 'source', 'createdAt', 'updatedAt')
if cur[2] and cur[2] ~= ARGV[3] then
  return redis.error_reply('WEFT_CONFLICT service is managed by source ' .. cur[2])
end
if cur[1] == ARGV[2] then
  return {0, tonumber(redis.call('GET', KEYS[3]) or '0'), tonumber(cur[3]), tonumber(cur[4])}
end
local function has_hc(json)
  if not json then return false end
  local hc = cjson.decode(json).healthCheck
  return hc ~= nil and hc ~= cjson.null
end
local created = now
if cur[3] then created = tonumber(cur[3]) end
redis.call('HSET', KEYS[1], 'spec', ARGV[2], 'source', ARGV[3], 'createdAt', created, 'updatedAt', now)
redis.call('SADD', KEYS[2], ARGV[1])
local out = {1, redis.call('INCR', KEYS[3]), created, now}
local new_hc = has_hc(ARGV[2])
if cur[1] and has_hc(cur[1]) ~= new_hc then
  local all = redis.call('HGETALL', KEYS[4])
  for idx = 1, #all, 2 do
    local i = cjson.decode(all[idx + 1])
    if (new_hc and i.probe == 'none') or ((not new_hc) and i.probe ~= 'none') then
      if new_hc then i.probe = 'unknown' else i.probe = 'none' end
      i.status = status_of(i)
      i.updatedAt = now
      local json = cjson.encode(i)
      redis.call('HSET', KEYS[4], all[idx], json)
      table.insert(out, redis.call('INCR', KEYS[3]))
      table.insert(out, json)
    end
  end
end
return out
`;

/** KEYS: svc, svcs, rev, inst, ttl · ARGV: member, source → revision */
export const DELETE_SERVICE = `
local src = redis.call('HGET', KEYS[1], 'source')
if not src then return redis.error_reply('WEFT_NOT_FOUND service not found') end
if src ~= ARGV[2] then return redis.error_reply('WEFT_CONFLICT service is managed by source ' .. src) end
local ids = redis.call('HKEYS', KEYS[4])
for _, id in ipairs(ids) do redis.call('ZREM', KEYS[5], ARGV[1] .. '/' .. id) end
redis.call('DEL', KEYS[1], KEYS[4])
redis.call('SREM', KEYS[2], ARGV[1])
return redis.call('INCR', KEYS[3])
`;

/**
 * KEYS: svc, inst, rev, ttl · ARGV: member, id, instanceJson (spec + namespace/service/source + digest)
 * → {revision (0: unchanged), type, instanceJson}. The same spec again (equal digest) changes nothing
 * but the heartbeat, so re-registering and reloading a static file are idempotent.
 */
export const REGISTER = `${NOW}${STATUS}
local spec = redis.call('HGET', KEYS[1], 'spec')
if not spec then return redis.error_reply('WEFT_NOT_FOUND service not found') end
local svc = cjson.decode(spec)
local hc = svc.healthCheck
local i = cjson.decode(ARGV[3])
local names = {}
for _, p in ipairs(svc.ports) do names[p.name] = true end
for name, _ in pairs(i.ports) do
  if not names[name] then
    return redis.error_reply('WEFT_INVALID instance.ports.' .. name .. ': not a port of the service')
  end
end
local old_json = redis.call('HGET', KEYS[2], ARGV[2])
local typ = 'instance.registered'
i.probe = 'none'
if hc ~= nil and hc ~= cjson.null then i.probe = 'unknown' end
i.registeredAt = now
if old_json then
  local old = cjson.decode(old_json)
  if old.source ~= i.source then
    return redis.error_reply('WEFT_CONFLICT instance is managed by source ' .. old.source)
  end
  if old.digest == i.digest then
    -- Same spec again (a re-registration or a static reload): refresh like a heartbeat.
    local rev = 0
    old.lastHeartbeat = now
    if old.ttl == 'expired' then
      old.ttl = 'passing'
      old.status = status_of(old)
      old.updatedAt = now
      rev = redis.call('INCR', KEYS[3])
    end
    local same = cjson.encode(old)
    redis.call('HSET', KEYS[2], ARGV[2], same)
    if old.ttlSeconds ~= cjson.null then
      redis.call('ZADD', KEYS[4], now + math.floor(old.ttlSeconds * 1000), ARGV[1] .. '/' .. ARGV[2])
    end
    if rev == 0 then return {0, 'instance.updated', same} end
    return {rev, 'instance.health', same}
  end
  typ = 'instance.updated'
  i.registeredAt = old.registeredAt
  if i.probe ~= 'none' and old.probe ~= 'none' then i.probe = old.probe end
end
if i.ttlSeconds == cjson.null then i.ttl = 'none' else i.ttl = 'passing' end
i.status = status_of(i)
i.lastHeartbeat = now
i.updatedAt = now
local json = cjson.encode(i)
redis.call('HSET', KEYS[2], ARGV[2], json)
local member = ARGV[1] .. '/' .. ARGV[2]
if i.ttlSeconds == cjson.null then
  redis.call('ZREM', KEYS[4], member)
else
  redis.call('ZADD', KEYS[4], now + math.floor(i.ttlSeconds * 1000), member)
end
return {redis.call('INCR', KEYS[3]), typ, json}
`;

/** KEYS: inst, rev, ttl · ARGV: member, id, source → {revision, lastInstanceJson} */
export const DEREGISTER = `
local json = redis.call('HGET', KEYS[1], ARGV[2])
if not json then return redis.error_reply('WEFT_NOT_FOUND instance not found') end
local i = cjson.decode(json)
if i.source ~= ARGV[3] then return redis.error_reply('WEFT_CONFLICT instance is managed by source ' .. i.source) end
redis.call('HDEL', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[1] .. '/' .. ARGV[2])
return {redis.call('INCR', KEYS[2]), json}
`;

/**
 * KEYS: inst, rev, ttl · ARGV: member, id → {revision (0: no state change), lastHeartbeat, instanceJson|''}
 * A heartbeat revives an instance whose TTL had expired (one instance.health event).
 */
export const HEARTBEAT = `${NOW}${STATUS}
local json = redis.call('HGET', KEYS[1], ARGV[2])
if not json then return redis.error_reply('WEFT_NOT_FOUND instance not found') end
local i = cjson.decode(json)
i.lastHeartbeat = now
local rev = 0
if i.ttl == 'expired' then
  i.ttl = 'passing'
  i.status = status_of(i)
  i.updatedAt = now
  rev = redis.call('INCR', KEYS[2])
end
json = cjson.encode(i)
redis.call('HSET', KEYS[1], ARGV[2], json)
if i.ttlSeconds ~= cjson.null then
  redis.call('ZADD', KEYS[3], now + math.floor(i.ttlSeconds * 1000), ARGV[1] .. '/' .. ARGV[2])
end
if rev == 0 then return {0, now, ''} end
return {rev, now, json}
`;

/**
 * KEYS: inst, rev · ARGV: id, probe (passing|failing), registeredAt (0: any) → {revision (0: unchanged), instanceJson}
 * registeredAt guards against a late probe result landing on a re-registered instance.
 */
export const SET_PROBE = `${NOW}${STATUS}
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return {0, ''} end
local i = cjson.decode(json)
if i.probe == 'none' or i.probe == ARGV[2] then return {0, ''} end
if ARGV[3] ~= '0' and tostring(i.registeredAt) ~= ARGV[3] then return {0, ''} end
i.probe = ARGV[2]
i.status = status_of(i)
i.updatedAt = now
json = cjson.encode(i)
redis.call('HSET', KEYS[1], ARGV[1], json)
return {redis.call('INCR', KEYS[2]), json}
`;

/**
 * KEYS: ttl · ARGV: keyPrefix, limit → flat list of {type, member, revision, instanceJson} per transition.
 * TTL passing → expired (instance.health, reason ttl); expired past grace → removed (instance.expired).
 * Atomic per run, so whichever replica sweeps, each transition happens (and is reported) once.
 */
export const SWEEP = `${NOW}${STATUS}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, member in ipairs(due) do
  local svc, id = string.match(member, '^(.*)/([^/]+)$')
  local inst_key = ARGV[1] .. 'inst:' .. svc
  local rev_key = ARGV[1] .. 'rev:' .. svc
  local json = redis.call('HGET', inst_key, id)
  if not json then
    redis.call('ZREM', KEYS[1], member)
  else
    local i = cjson.decode(json)
    if i.ttlSeconds == cjson.null then
      redis.call('ZREM', KEYS[1], member)
    else
      local expiry = i.lastHeartbeat + math.floor(i.ttlSeconds * 1000)
      local removal = expiry + math.floor(i.graceSeconds * 1000)
      if i.ttl == 'passing' and expiry <= now then
        i.ttl = 'expired'
        i.status = status_of(i)
        i.updatedAt = now
        json = cjson.encode(i)
        redis.call('HSET', inst_key, id, json)
        redis.call('ZADD', KEYS[1], removal, member)
        local rev = redis.call('INCR', rev_key)
        table.insert(out, 'instance.health'); table.insert(out, member); table.insert(out, rev); table.insert(out, json)
      elseif i.ttl == 'expired' and removal <= now then
        redis.call('HDEL', inst_key, id)
        redis.call('ZREM', KEYS[1], member)
        local rev = redis.call('INCR', rev_key)
        table.insert(out, 'instance.expired'); table.insert(out, member); table.insert(out, rev); table.insert(out, json)
      elseif i.ttl == 'passing' then
        redis.call('ZADD', KEYS[1], expiry, member)
      else
        redis.call('ZADD', KEYS[1], removal, member)
      end
    end
  end
end
return out
`;
