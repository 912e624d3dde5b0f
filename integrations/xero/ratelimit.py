"""Xero's limits, shared by every worker process: per organisation calls per minute, calls in flight and
calls per day; per app (all organisations together) calls per minute; and "blocked until" set from a 429's
Retry-After, for one organisation or, when the app-wide limit was hit, for everyone.

A call that is not urgent (`Share`) leaves part of the day and app budgets to those that are: a backfill
stops short of the day limit so a person's "sync accounting" still goes through.

With Redis (production, CI) the budgets live in Redis and are taken atomically by one Lua script; the
zero-setup demo without Redis keeps them in the process.
"""

import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings

from integrations.xero.errors import XeroRateLimited
from integrations.xero.ratelimit_local import LocalBudgets

# Refusals by Onport itself (not by Xero) have a `problem` starting "onport": they never block anyone.
DAY_KEPT = "onport-day-kept"  # Onport would not spend what is kept of the day for others
APP_KEYS = ["xero:limits:app:window", "xero:limits:app:blocked", "xero:limits:app:extra"]
HOUR = 3600

# KEYS: org window (zset of call times), org in flight (zset of lease ends), org blocked (unblock time),
#       app window, app blocked, app extra, org day (hash: hour number -> calls), org extra
#       ("extra": calls Xero counted and we did not, for the rest of the window)
# ARGV: now, window seconds, per-window limit, concurrency, lease seconds, call id,
#       app limit, app calls to keep, day limit, day calls to keep
# Returns "ok", or "<why> <seconds to wait>".
ACQUIRE = """
local now, window, limit, concurrency, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local app_limit, app_kept, day_limit, day_kept = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
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
if used(KEYS[1], KEYS[8]) >= limit then return 'minute ' .. frees_in(KEYS[1], KEYS[8]) end
if used(KEYS[4], KEYS[6]) >= app_limit - app_kept then return 'app ' .. frees_in(KEYS[4], KEYS[6]) end
if redis.call('ZCARD', KEYS[2]) >= concurrency then return 'concurrent 0.05' end
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


@dataclass(frozen=True)
class Share:
    """What a call must leave of the shared budgets: calls of today's limit, calls of the app's minute."""

    day_kept: int = 0
    app_kept: int = 0


URGENT = Share()  # a person is waiting: everything Xero allows


def share_for_background(*, backfill: bool) -> Share:
    """Automatic syncs keep a little of the day for people; a backfill keeps more, and both leave part of
    the app's minute to manual syncs of other organisations."""
    day = int(settings.XERO_DAY_RESERVE)
    return Share(day_kept=day if backfill else day // 5, app_kept=int(settings.XERO_APP_RESERVE))


@dataclass(frozen=True)
class DayUsage:
    used: int
    limit: int
    kept: int

    @property
    def left(self) -> int:
        return max(self.limit - self.used, 0)


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


class RateLimiter:
    def __init__(self, tenant_id: str, share: Share = URGENT):
        self.tenant_id = tenant_id
        self.share = share
        # Counted a moment longer than Xero's window: Xero counts a call when it arrives, we when it leaves.
        self.window = float(settings.XERO_RATE_WINDOW_SECONDS) + float(settings.XERO_RATE_WINDOW_MARGIN)
        self.limit = int(settings.XERO_CALLS_PER_MINUTE)
        self.concurrency = int(settings.XERO_CONCURRENT_CALLS)
        self.app_limit = int(settings.XERO_APP_CALLS_PER_MINUTE)
        self.day_limit = int(settings.XERO_CALLS_PER_DAY)
        self.lease = 120.0
        prefix = f"xero:limits:{tenant_id}"
        self.keys = [f"{prefix}:window", f"{prefix}:inflight", f"{prefix}:blocked", *APP_KEYS, f"{prefix}:day",
                     f"{prefix}:extra"]
        self.redis = _redis(settings.REDIS_URL) if settings.REDIS_URL else None

    def _try(self, call_id: str, now: float) -> tuple[str, float]:
        args = [now, self.window, self.limit, self.concurrency, self.lease, call_id,
                self.app_limit, self.share.app_kept, self.day_limit, self.share.day_kept]
        if self.redis is None:
            return LocalBudgets.acquire(self.tenant_id, *args)
        answer = self.redis.eval(ACQUIRE, len(self.keys), *self.keys, *args).decode()
        if answer == "ok":
            return "ok", 0.0
        why, seconds = answer.split()
        return why, float(seconds)

    @contextmanager
    def slot(self, *, max_wait: float):
        """Wait (up to `max_wait` seconds) for a call slot; raise XeroRateLimited when it is further away.

        Yields the time the slot was counted at (what the budget's window is measured from).
        """
        call_id = uuid.uuid4().hex
        deadline = time.monotonic() + max_wait
        while (answer := self._try(call_id, now := time.time()))[0] != "ok":
            why, wait = answer
            if why == "day":
                raise XeroRateLimited("Most of Xero's daily limit for this organisation is used; what is left is "
                                      "kept for manual syncs.", retry_after=wait, problem=DAY_KEPT)
            if time.monotonic() + wait > deadline:
                raise XeroRateLimited("Xero's rate limit for this organisation is used up for now; retrying later.",
                                      retry_after=wait, problem="onport")
            time.sleep(min(wait, 1.0))
        try:
            yield now
        finally:
            self._release(call_id)

    def _release(self, call_id: str) -> None:
        if self.redis is None:
            LocalBudgets.release(self.tenant_id, call_id)
        else:
            self.redis.zrem(self.keys[1], call_id)

    def block(self, seconds: float, *, app_wide: bool = False) -> None:
        """Xero answered 429: nobody calls this organisation (or, for the app-wide limit, any organisation)
        until Retry-After has passed."""
        until = time.time() + seconds
        key = APP_KEYS[1] if app_wide else self.keys[2]
        if self.redis is None:
            LocalBudgets.block("app" if app_wide else self.tenant_id, until)
        else:
            self.redis.set(key, until, ex=int(seconds) + 5)

    def observe(self, headers: dict[str, int]) -> None:
        """Xero's own counts of what is left (X-MinLimit-, X-AppMinLimit-, X-DayLimit-Remaining)."""
        if self.redis is None:
            return
        now = time.time()
        if "minute" in headers:
            self.redis.eval(OBSERVE_WINDOW, 2, self.keys[0], self.keys[7], now, self.window, self.limit, headers["minute"])
        if "app" in headers:
            self.redis.eval(OBSERVE_WINDOW, 2, APP_KEYS[0], APP_KEYS[2], now, self.window, self.app_limit, headers["app"])
        if "day" in headers:
            self.redis.eval(OBSERVE_DAY, 1, self.keys[6], now, self.day_limit, headers["day"])

    def day_usage(self) -> DayUsage:
        """Calls to this organisation in the last 24 hours (ours, corrected by what Xero said)."""
        kept = int(settings.XERO_DAY_RESERVE)
        if self.redis is None:
            return DayUsage(LocalBudgets.day_used(self.tenant_id, time.time()), self.day_limit, kept)
        hour = int(time.time() // HOUR)
        counts = self.redis.hgetall(self.keys[6])
        used = sum(int(count) for field, count in counts.items() if int(field) > hour - 24)
        return DayUsage(used, self.day_limit, kept)


def limits_reset() -> None:
    """Forget every organisation's budget and block (tests start from a clean slate)."""
    LocalBudgets.reset()
    if settings.REDIS_URL:
        client = _redis(settings.REDIS_URL)
        keys = list(client.scan_iter("xero:limits:*"))
        if keys:
            client.delete(*keys)
