"""The budgets of `ratelimit` for a single process: the zero-setup demo without Redis, same rules."""

import math
import threading
from collections import defaultdict

HOUR = 3600


class LocalBudgets:
    lock = threading.Lock()
    windows: dict[str, list[float]] = defaultdict(list)  # tenant or "app" -> call times
    inflight: dict[str, dict[str, float]] = defaultdict(dict)
    blocked: dict[str, float] = {}
    days: dict[str, dict[int, int]] = defaultdict(dict)  # tenant -> hour -> calls
    people: dict[str, dict[str, float]] = defaultdict(dict)  # tenant or "app" -> waiting person's call -> until
    waiting: dict[str, tuple[float, int]] = {}  # tenant -> (until, its calls in the window) for the app's minute

    @classmethod
    def acquire(
        cls,
        tenant,
        now,
        window,
        limit,
        concurrency,
        lease,
        call_id,
        app_limit,
        app_kept,
        day_limit,
        day_kept,
        urgent,
        hold,
        _tenant,
        slices,
    ) -> tuple[str, float]:
        with cls.lock:
            for who, why in ((tenant, "blocked"), ("app", "app-blocked")):
                if cls.blocked.get(who, 0) > now:
                    return why, cls.blocked[who] - now
            hour = math.floor(now / HOUR)
            day = {h: n for h, n in cls.days[tenant].items() if h > hour - 24}
            cls.days[tenant] = day
            if day_kept and sum(day.values()) >= day_limit - day_kept:
                return "day", max((min(day) + 24) * HOUR - now, 1)
            calls = cls.windows[tenant] = [t for t in cls.windows[tenant] if t > now - window]
            app = cls.windows["app"] = [t for t in cls.windows["app"] if t > now - window]
            running = cls.inflight[tenant] = {k: v for k, v in cls.inflight[tenant].items() if v > now}
            for who in (tenant, "app"):
                cls.people[who] = {k: v for k, v in cls.people[who].items() if v > now}
            cls.waiting = {k: v for k, v in cls.waiting.items() if v[0] > now}

            def person_waits(who: str, why: str, wait: float) -> tuple[str, float]:
                if urgent:
                    cls.people[who][call_id] = now + wait + hold
                return why, wait

            if len(calls) >= limit:
                return person_waits(tenant, "minute", max(calls[0] + window - now, 0.01))
            if not urgent and cls.people[tenant]:
                return "person", 0.2

            def organisation_waits(why: str, wait: float) -> tuple[str, float]:
                cls.waiting[tenant] = (now + wait + hold, len(calls))
                return why, wait

            if len(app) >= app_limit - app_kept:
                wait = max(app[0] + window - now, 0.01)
                return person_waits("app", "app", wait) if urgent else organisation_waits("app", wait)
            if not urgent and cls.people["app"]:
                return "person", 0.2
            slice_ = window / slices
            recent = [t for t in app if t > now - slice_]
            if not urgent and len(recent) >= math.ceil((app_limit - app_kept) / slices):
                return organisation_waits("paced", max(recent[0] + slice_ - now, 0.01))
            if not urgent:
                if any(used < len(calls) for other, (_, used) in cls.waiting.items() if other != tenant):
                    return organisation_waits("turn", 0.2)
                cls.waiting.pop(tenant, None)
            if len(running) >= concurrency:
                return person_waits(tenant, "concurrent", 0.05)
            if urgent and not any([cls.people[who].pop(call_id, None) for who in (tenant, "app")]):
                for who in (tenant, "app"):  # a person who gave up came back as a new call: its claim is met
                    if cls.people[who]:
                        cls.people[who].pop(min(cls.people[who], key=cls.people[who].__getitem__))
            calls.append(now)
            app.append(now)
            running[call_id] = now + lease
            day[hour] = day.get(hour, 0) + 1
            return "ok", 0.0

    @classmethod
    def release(cls, tenant: str, call_id: str) -> None:
        with cls.lock:
            cls.inflight[tenant].pop(call_id, None)

    @classmethod
    def block(cls, who: str, until: float) -> None:
        with cls.lock:
            cls.blocked[who] = max(until, cls.blocked.get(who, 0))

    @classmethod
    def day_used(cls, tenant: str, now: float) -> int:
        with cls.lock:
            hour = math.floor(now / HOUR)
            return sum(n for h, n in cls.days[tenant].items() if h > hour - 24)

    @classmethod
    def reset(cls) -> None:
        with cls.lock:
            cls.windows.clear()
            cls.inflight.clear()
            cls.blocked.clear()
            cls.days.clear()
            cls.people.clear()
            cls.waiting.clear()
