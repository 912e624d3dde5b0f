"""Xero's per-organisation limits, shared by every worker process: calls per minute, calls in flight,
and a "blocked until" set from Retry-After.

With Redis (production, CI) the budget is kept in Redis and taken atomically by one Lua script; the
zero-setup demo without Redis keeps it in the process.
"""

import threading
import time
import uuid
from contextlib import contextmanager
from functools import lru_cache

import redis
from django.conf import settings

from integrations.xero.errors import XeroRateLimited

# KEYS: window (zset of call times), inflight (zset of lease ends), blocked (string: unblock time)
# ARGV: now, window seconds, per-window limit, concurrency limit, lease seconds, call id
# Returns 0 when the call may go, else the seconds to wait before asking again.
ACQUIRE = """
local now, window, limit, concurrency, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local blocked = tonumber(redis.call('GET', KEYS[3]) or '0')
if blocked > now then return tostring(blocked - now) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(math.max(tonumber(oldest[2]) + window - now, 0.01))
end
if redis.call('ZCARD', KEYS[2]) >= concurrency then return '0.05' end
redis.call('ZADD', KEYS[1], now, ARGV[6])
redis.call('ZADD', KEYS[2], now + lease, ARGV[6])
redis.call('EXPIRE', KEYS[1], math.ceil(window) + 5)
redis.call('EXPIRE', KEYS[2], math.ceil(lease) + 5)
return '0'
"""

# Xero said how many calls are left this minute: if it counts more than we do, add the difference.
OBSERVE = """
local now, window, limit, remaining = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local missing = (limit - remaining) - redis.call('ZCARD', KEYS[1])
for i = 1, missing do redis.call('ZADD', KEYS[1], now, 'xero-' .. ARGV[5] .. '-' .. i) end
return missing
"""


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


class _LocalStore:
    """The same budget for a single process (the demo without Redis)."""

    lock = threading.Lock()
    windows: dict[str, list[float]] = {}
    inflight: dict[str, dict[str, float]] = {}
    blocked: dict[str, float] = {}

    @classmethod
    def acquire(cls, tenant, now, window, limit, concurrency, lease, call_id) -> float:
        with cls.lock:
            if cls.blocked.get(tenant, 0) > now:
                return cls.blocked[tenant] - now
            calls = [t for t in cls.windows.get(tenant, []) if t > now - window]
            running = {k: v for k, v in cls.inflight.get(tenant, {}).items() if v > now}
            cls.windows[tenant], cls.inflight[tenant] = calls, running
            if len(calls) >= limit:
                return max(calls[0] + window - now, 0.01)
            if len(running) >= concurrency:
                return 0.05
            calls.append(now)
            running[call_id] = now + lease
            return 0.0


class RateLimiter:
    def __init__(self, tenant_id: str):
        self.tenant_id = tenant_id
        self.window = float(settings.XERO_RATE_WINDOW_SECONDS)
        self.limit = int(settings.XERO_CALLS_PER_MINUTE)
        self.concurrency = int(settings.XERO_CONCURRENT_CALLS)
        self.lease = 120.0
        prefix = f"xero:limits:{tenant_id}"
        self.keys = [f"{prefix}:window", f"{prefix}:inflight", f"{prefix}:blocked"]
        self.redis = _redis(settings.REDIS_URL) if settings.REDIS_URL else None

    def _try(self, call_id: str, now: float) -> float:
        if self.redis is None:
            return _LocalStore.acquire(self.tenant_id, now, self.window, self.limit, self.concurrency, self.lease, call_id)
        args = [now, self.window, self.limit, self.concurrency, self.lease, call_id]
        return float(self.redis.eval(ACQUIRE, 3, *self.keys, *args))

    @contextmanager
    def slot(self, *, max_wait: float):
        """Wait (up to `max_wait` seconds) for a call slot; raise XeroRateLimited when it is further away.

        Yields the time the slot was counted at (what the budget's window is measured from).
        """
        call_id = uuid.uuid4().hex
        deadline = time.monotonic() + max_wait
        while (wait := self._try(call_id, now := time.time())) > 0:
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
            with _LocalStore.lock:
                _LocalStore.inflight.get(self.tenant_id, {}).pop(call_id, None)
        else:
            self.redis.zrem(self.keys[1], call_id)

    def block(self, seconds: float) -> None:
        """Xero answered 429: nobody calls this organisation until Retry-After has passed."""
        until = time.time() + seconds
        if self.redis is None:
            with _LocalStore.lock:
                _LocalStore.blocked[self.tenant_id] = max(until, _LocalStore.blocked.get(self.tenant_id, 0))
        else:
            self.redis.set(self.keys[2], until, ex=int(seconds) + 5)

    def observe(self, minute_remaining: int | None) -> None:
        if minute_remaining is None or self.redis is None:
            return
        self.redis.eval(OBSERVE, 1, self.keys[0], time.time(), self.window, self.limit, minute_remaining, uuid.uuid4().hex)


def limits_reset() -> None:
    """Forget every organisation's budget and block (tests start from a clean slate)."""
    with _LocalStore.lock:
        _LocalStore.windows.clear()
        _LocalStore.inflight.clear()
        _LocalStore.blocked.clear()
    if settings.REDIS_URL:
        client = _redis(settings.REDIS_URL)
        keys = list(client.scan_iter("xero:limits:*"))
        if keys:
            client.delete(*keys)
