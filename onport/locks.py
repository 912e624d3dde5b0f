"""Locks that every worker process respects: for work that must run alone (one lookup of lost answers per
Xero account), and `one_of` for work that may run a few at once (up to five drains per Xero account).

With Redis (production, CI) this is redis-py's `Lock`: a token per holder, so a lock that expired and
was taken by another worker is never released by the first (the release is one atomic script). The
zero-setup demo without Redis runs one worker process, so a lock inside the process is enough there.
"""

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import redis
from django.conf import settings
from redis.exceptions import LockError


class Held:
    """A lock this worker holds; `extend()` keeps it while long work goes on."""

    def __init__(self, name: str, seconds: float, redis_lock=None):
        self.name, self.seconds, self._redis_lock = name, seconds, redis_lock

    def extend(self) -> None:
        if self._redis_lock is not None:
            self._redis_lock.extend(self.seconds, replace_ttl=True)
        else:
            _local_extend(self.name, self.seconds)


@lru_cache(maxsize=4)
def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


@contextmanager
def exclusive(name: str, *, seconds: float) -> Iterator[Held | None]:
    """Hold `name` for at most `seconds` (unless extended); yields None when another worker holds it."""
    if settings.REDIS_URL:
        lock = redis_client(settings.REDIS_URL).lock(f"onport-lock:{name}", timeout=seconds, blocking=False)
        if not lock.acquire(blocking=False):
            yield None
            return
        try:
            yield Held(name, seconds, lock)
        finally:
            try:
                lock.release()
            except LockError:  # expired and perhaps taken by another worker: theirs now, not ours to drop
                pass
        return
    token = _local_acquire(name, seconds)
    if token is None:
        yield None
        return
    try:
        yield Held(name, seconds)
    finally:
        _local_release(name, token)


@contextmanager
def one_of(name: str, *, slots: int, seconds: float) -> Iterator[Held | None]:
    """Hold one of `slots` locks named after `name` (a semaphore whose every holder expires on its own);
    yields None when all of them are held."""
    for slot in range(max(slots, 1)):
        with exclusive(f"{name}:{slot}", seconds=seconds) as held:
            if held is not None:
                yield held
                return
    yield None


_local_lock = threading.Lock()
_local_held: dict[str, tuple[str, float]] = {}  # name → (token, expires at)


def _local_acquire(name: str, seconds: float) -> str | None:
    with _local_lock:
        holder = _local_held.get(name)
        if holder and holder[1] > time.monotonic():
            return None
        token = uuid.uuid4().hex
        _local_held[name] = (token, time.monotonic() + seconds)
        return token


def _local_extend(name: str, seconds: float) -> None:
    with _local_lock:
        token, _ = _local_held[name]
        _local_held[name] = (token, time.monotonic() + seconds)


def _local_release(name: str, token: str) -> None:
    with _local_lock:
        if _local_held.get(name, ("",))[0] == token:
            del _local_held[name]
