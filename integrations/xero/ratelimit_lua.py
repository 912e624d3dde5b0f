"""The Lua scripts that take and correct `ratelimit`'s budgets in Redis, each in one atomic step."""

# KEYS: org window (zset of call times), org in flight (zset of lease ends), org blocked (unblock time),
#       app window, app blocked, app extra, org day (hash: hour number -> calls), org extra
#       ("extra": calls Xero counted and we did not, for the rest of the window),
#       people waiting for the app's minute, people waiting for the organisation (zsets: call id -> until),
#       organisations waiting for the app's minute (zset: tenant -> until) and their calls in the window (hash)
# ARGV: now, window seconds, per-window limit, concurrency, lease seconds, call id,
#       app limit, app calls to keep, day limit, day calls to keep, urgent (1: a person waits), hold seconds,
#       tenant, slices of the window (background calls take at most their share of the app's minute per slice)
# Returns "ok", or "<why> <seconds to wait>". A person refused for a budget says so; calls that are not
# urgent then leave that budget's next free call to the person. Among the rest, a free call of the app's
# minute goes to the waiting organisation that has had the fewest calls in the window (a deficit
# round-robin over the organisations with work: a backlog that polls more often does not get more).
ACQUIRE = """
local now, window, limit, concurrency, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local app_limit, app_kept, day_limit, day_kept = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local urgent, hold, tenant, slices = ARGV[11] == '1', tonumber(ARGV[12]), ARGV[13], tonumber(ARGV[14])
local blocked = tonumber(redis.call('GET', KEYS[3]) or '0')
if blocked > now then return 'blocked ' .. (blocked - now) end
local app_blocked = tonumber(redis.call('GET', KEYS[5]) or '0')
if app_blocked > now then return 'app-blocked ' .. (app_blocked - now) end
local hour = math.floor(now / 3600)
if day_kept > 0 then
  local fields, used, oldest = redis.call('HGETALL', KEYS[7]), 0, hour
  for i = 1, #fields, 2 do
    local h = tonumber(fields[i])
    if h > hour - 24 then
      used = used + tonumber(fields[i + 1])
      if h < oldest then oldest = h end
    end
  end
  if used >= day_limit - day_kept then return 'day ' .. math.max((oldest + 24) * 3600 - now, 1) end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[9], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[10], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[11], '-inf', now)
local function person_waits(people_key, why, wait)  -- refused: a person's call claims the next free one
  if urgent then
    redis.call('ZADD', people_key, now + wait + hold, ARGV[6])  -- until it is free and a moment more
    redis.call('EXPIRE', people_key, math.ceil(wait + hold) + 5)
  end
  return why .. ' ' .. wait
end
local function extra(extra_key)  -- Xero's extra calls and when it said so ("count time"), while in the window
  local value = redis.call('GET', extra_key)
  if not value then return 0, nil end
  local count, at = string.match(value, '(%S+) (%S+)')
  if tonumber(at) <= now - window then return 0, nil end
  return tonumber(count), tonumber(at)
end
local function used(window_key, extra_key)
  return redis.call('ZCARD', window_key) + extra(extra_key)
end
local function frees_in(window_key, extra_key)  -- until the oldest call (or Xero's extra) leaves the window
  local oldest, wait = redis.call('ZRANGE', window_key, 0, 0, 'WITHSCORES'), nil
  local count, at = extra(extra_key)
  if at then wait = at + window - now end
  if oldest[2] and (not wait or tonumber(oldest[2]) + window - now < wait) then wait = tonumber(oldest[2]) + window - now end
  return math.max(wait or 0.01, 0.01)
end
if used(KEYS[1], KEYS[8]) >= limit then return person_waits(KEYS[10], 'minute', frees_in(KEYS[1], KEYS[8])) end
if not urgent and redis.call('ZCARD', KEYS[10]) > 0 then return 'person 0.2' end
local function organisation_waits(why, wait)  -- a backlog refused for the app's minute waits its turn
  redis.call('ZADD', KEYS[11], now + wait + hold, tenant)
  redis.call('HSET', KEYS[12], tenant, used(KEYS[1], KEYS[8]))
  redis.call('EXPIRE', KEYS[11], math.ceil(window) + 5)
  redis.call('EXPIRE', KEYS[12], math.ceil(window) + 5)
  return why .. ' ' .. wait
end
if used(KEYS[4], KEYS[6]) >= app_limit - app_kept then
  if urgent then return person_waits(KEYS[9], 'app', frees_in(KEYS[4], KEYS[6])) end
  return organisation_waits('app', frees_in(KEYS[4], KEYS[6]))
end
if not urgent and redis.call('ZCARD', KEYS[9]) > 0 then return 'person 0.2' end
if not urgent then  -- backlogs spread the app's minute over the window: a burst would free as a burst
  local slice = window / slices
  local allowed = math.ceil((app_limit - app_kept) / slices)  -- rounded up: the window itself caps the minute
  if redis.call('ZCOUNT', KEYS[4], now - slice, '+inf') >= allowed then
    local oldest = redis.call('ZRANGEBYSCORE', KEYS[4], now - slice, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    return organisation_waits('paced', math.max(tonumber(oldest[2]) + slice - now, 0.01))
  end
end
if not urgent then  -- an organisation that has had fewer of the window's calls is waiting: its turn
  local mine = used(KEYS[1], KEYS[8])
  for _, other in ipairs(redis.call('ZRANGE', KEYS[11], 0, -1)) do
    if other ~= tenant and tonumber(redis.call('HGET', KEYS[12], other) or mine) < mine then
      return organisation_waits('turn', 0.2)
    end
  end
  redis.call('ZREM', KEYS[11], tenant)
end
if redis.call('ZCARD', KEYS[2]) >= concurrency then return person_waits(KEYS[10], 'concurrent', 0.05) end
if urgent and redis.call('ZREM', KEYS[9], ARGV[6]) + redis.call('ZREM', KEYS[10], ARGV[6]) == 0 then
  redis.call('ZPOPMIN', KEYS[9])  -- a person who gave up waiting came back as a new call: its claim is met
  redis.call('ZPOPMIN', KEYS[10])
end
redis.call('ZADD', KEYS[1], now, ARGV[6])
redis.call('ZADD', KEYS[4], now, ARGV[6])
redis.call('ZADD', KEYS[2], now + lease, ARGV[6])
redis.call('HINCRBY', KEYS[7], hour, 1)
redis.call('EXPIRE', KEYS[1], math.ceil(window) + 5)
redis.call('EXPIRE', KEYS[4], math.ceil(window) + 5)
redis.call('EXPIRE', KEYS[2], math.ceil(lease) + 5)
redis.call('EXPIRE', KEYS[7], 25 * 3600)
return 'ok'
"""

# Xero said how many calls are left in a window: if it counts more than we do, the difference is kept
# as one number ("count time") that counts while it is in the window (KEYS: window, extra).
OBSERVE_WINDOW = """
local now, window, limit, remaining = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local missing = (limit - remaining) - redis.call('ZCARD', KEYS[1])
if missing > 0 then redis.call('SET', KEYS[2], missing .. ' ' .. now, 'EX', math.ceil(window) + 5) end
return missing
"""

# The same for the day: Xero's count of the last day against ours, the difference added to this hour.
OBSERVE_DAY = """
local now, limit, remaining = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local hour, used = math.floor(now / 3600), 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if tonumber(fields[i]) > hour - 24 then used = used + tonumber(fields[i + 1]) else redis.call('HDEL', KEYS[1], fields[i]) end
end
local missing = (limit - remaining) - used
if missing > 0 then redis.call('HINCRBY', KEYS[1], hour, missing) end
redis.call('EXPIRE', KEYS[1], 25 * 3600)
return missing
"""
