"""Xero's limits, shared by every worker process: per organisation calls per minute, calls in flight and
calls per day; per app (all organisations together) calls per minute; and "blocked until" set from a 429's
Retry-After, for one organisation or, when the app-wide limit was hit, for everyone.

A call that is not urgent (`Share`) leaves part of the day and app budgets to those that are: a backfill
stops short of the day limit so a person's "sync accounting" still goes through, and a person waiting for
a budget gets its next free call before any backlog does. Backlogs take turns at the app's minute: a free
call goes to the waiting organisation that has had the fewest calls in the window; and they spread it over
the window (paced), since calls taken in a burst leave the rolling window in a burst a minute later, and
a person arriving in between would wait for it.

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
from integrations.xero.ratelimit_lua import ACQUIRE, OBSERVE_DAY, OBSERVE_WINDOW

# Refusals by Onport itself (not by Xero) have a `problem` starting "onport": they never block anyone.
DAY_KEPT = "onport-day-kept"  # Onport would not spend what is kept of the day for others
APP_KEYS = ["xero:limits:app:window", "xero:limits:app:blocked", "xero:limits:app:extra"]
APP_PEOPLE_KEY = "xero:limits:app:people"
APP_WAITING_KEYS = ["xero:limits:app:waiting", "xero:limits:app:waiting-used"]
HOUR = 3600
PERSON_HOLD = 1.5  # seconds a waiting claim (a person's, an organisation's) outlives the moment its budget frees


@dataclass(frozen=True)
class Share:
    """What a call must leave of the shared budgets: calls of today's limit, calls of the app's minute."""

    day_kept: int = 0
    app_kept: int = 0
    urgent: bool = False  # a person is waiting: first to the next free call


URGENT = Share(urgent=True)  # a person is waiting: everything Xero allows, before any backlog
# A backlog's call waited for the app-wide minute that every organisation shares (used up, paced, or another
# organisation's turn): the drain gives its worker back so organisations still queued get theirs.
APP_WAITS = frozenset({"app", "paced", "turn"})


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
        self.pace_slices = max(int(settings.XERO_APP_PACE_SLICES), 1)
        self.lease = 120.0
        prefix = f"xero:limits:{tenant_id}"
        self.keys = [
            f"{prefix}:window",
            f"{prefix}:inflight",
            f"{prefix}:blocked",
            *APP_KEYS,
            f"{prefix}:day",
            f"{prefix}:extra",
            APP_PEOPLE_KEY,
            f"{prefix}:people",
            *APP_WAITING_KEYS,
        ]
        self.redis = _redis(settings.REDIS_URL) if settings.REDIS_URL else None
        self.waited_for: set[str] = set()  # why its calls had to wait ("app", "paced", "turn", "minute"…)

    def _try(self, call_id: str, now: float) -> tuple[str, float]:
        args: list[float | int | str] = [
            now,
            self.window,
            self.limit,
            self.concurrency,
            self.lease,
            call_id,
            self.app_limit,
            self.share.app_kept,
            self.day_limit,
            self.share.day_kept,
            int(self.share.urgent),
            PERSON_HOLD,
            self.tenant_id,
            self.pace_slices,
        ]
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
            self.waited_for.add(why)
            if why == "day":
                raise XeroRateLimited(
                    "Most of Xero's daily limit for this organisation is used; what is left is kept for manual syncs.",
                    retry_after=wait,
                    problem=DAY_KEPT,
                )
            if time.monotonic() + wait > deadline:
                raise XeroRateLimited(
                    "Xero's rate limit for this organisation is used up for now; retrying later.",
                    retry_after=wait,
                    problem="onport",
                )
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
            self.redis.eval(
                OBSERVE_WINDOW, 2, self.keys[0], self.keys[7], now, self.window, self.limit, headers["minute"]
            )
        if "app" in headers:
            self.redis.eval(
                OBSERVE_WINDOW, 2, APP_KEYS[0], APP_KEYS[2], now, self.window, self.app_limit, headers["app"]
            )
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
