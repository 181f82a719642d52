/**
 * Lua scripts of the proxy status store.
 *
 * KEYS: status hash · ARGV: proxyId, replica → 1 when the entry existed and was held by that replica
 * (and is now deleted), else 0. A proxy that reconnected to another replica keeps its newer entry.
 */
export const DELETE_IF_REPLICA = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local ok, s = pcall(cjson.decode, v)
if ok and type(s) == 'table' and s.replica ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
`;
