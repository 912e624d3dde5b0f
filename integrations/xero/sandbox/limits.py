"""Xero's rate limits per (app, organisation): calls per minute, per day, and in flight.

The minute limit uses a SLIDING window of `rate_window_seconds` (60 by default): a call is refused
while `rate_per_minute` calls were accepted in the last window; `Retry-After` is the time until the
oldest of them leaves the window. The day limit is a FIXED window of `day_window_seconds` starting
with the organisation's first call. The per-app minute limit (10,000 across all organisations) is
sliding like the minute limit. Refused calls do not count.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from .config import SandboxConfig


@dataclass
class RateDecision:
    allowed: bool
    problem: str | None = None  # "minute", "day", "concurrent" or "appminute"
    retry_after: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


class RateLimiter:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._minute: dict[tuple[str, str], deque[float]] = defaultdict(deque)
            self._app_minute: dict[str, deque[float]] = defaultdict(deque)
            self._day: dict[tuple[str, str], list[float]] = {}  # key -> [window start, count]
            self._in_flight: dict[tuple[str, str], int] = defaultdict(int)

    def acquire(self, client_id: str, tenant_id: str) -> RateDecision:
        """Count one call, or refuse it; an allowed call must be `release`d when answered."""
        now = time.monotonic()
        key = (client_id, tenant_id)
        config = self.config
        with self._lock:
            minute = self._prune(self._minute[key], now)
            app_minute = self._prune(self._app_minute[client_id], now)
            day = self._day_window(key, now)
            if day[1] >= config.day_limit:
                return self._refuse("day", math.ceil(day[0] + config.day_window_seconds - now), key, now)
            if len(minute) >= config.rate_per_minute:
                return self._refuse("minute", math.ceil(minute[0] + config.rate_window_seconds - now), key, now)
            if len(app_minute) >= config.app_rate_per_minute:
                return self._refuse("appminute", math.ceil(app_minute[0] + config.rate_window_seconds - now), key, now)
            if self._in_flight[key] >= config.concurrent_limit:
                return self._refuse("concurrent", None, key, now)
            minute.append(now)
            app_minute.append(now)
            day[1] += 1
            self._in_flight[key] += 1
            return RateDecision(True, headers=self._headers(key, now))

    def release(self, client_id: str, tenant_id: str) -> None:
        with self._lock:
            key = (client_id, tenant_id)
            self._in_flight[key] = max(self._in_flight[key] - 1, 0)

    def headers(self, client_id: str, tenant_id: str) -> dict[str, str]:
        with self._lock:
            return self._headers((client_id, tenant_id), time.monotonic())

    def _refuse(self, problem: str, retry_after: int | None, key: tuple[str, str], now: float) -> RateDecision:
        headers = self._headers(key, now)
        headers["X-Rate-Limit-Problem"] = problem
        if retry_after is not None:
            retry_after = max(retry_after, 1)
            headers["Retry-After"] = str(retry_after)
        return RateDecision(False, problem, retry_after, headers)

    def _headers(self, key: tuple[str, str], now: float) -> dict[str, str]:
        config = self.config
        minute = self._prune(self._minute[key], now)
        app_minute = self._prune(self._app_minute[key[0]], now)
        day = self._day_window(key, now)
        return {
            "X-MinLimit-Remaining": str(max(config.rate_per_minute - len(minute), 0)),
            "X-DayLimit-Remaining": str(max(config.day_limit - day[1], 0)),
            "X-AppMinLimit-Remaining": str(max(config.app_rate_per_minute - len(app_minute), 0)),
        }

    def _prune(self, window: deque[float], now: float) -> deque[float]:
        while window and window[0] <= now - self.config.rate_window_seconds:
            window.popleft()
        return window

    def _day_window(self, key: tuple[str, str], now: float) -> list[float]:
        window = self._day.get(key)
        if window is None or now - window[0] >= self.config.day_window_seconds:
            window = self._day[key] = [now, 0]
        return window
