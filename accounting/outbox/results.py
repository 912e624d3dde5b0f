"""What the engine and each outbox pass between them: outcomes, problems, the drain's report, and the
two things every batch does alike (its Idempotency-Key, and what a failed request means for its rows)."""

import datetime
import hashlib
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.utils import timezone

from accounting.outbox.models import OutboxRow, Reason, State
from integrations.xero.errors import (
    XeroAuthError,
    XeroError,
    XeroNotFound,
    XeroRateLimited,
    XeroUnavailable,
    XeroUnexpectedAnswer,
    XeroValidationError,
)
from integrations.xero.ratelimit import DAY_KEPT

UNKNOWN_SETTLE = datetime.timedelta(seconds=5)  # let a slow write land in Xero before looking for it

Row = TypeVar("Row", bound=OutboxRow)  # an outbox's own row model: an outcome keeps its row's type


@dataclass(frozen=True)
class Outcome(Generic[Row]):
    """What happened to one row: its new state, why (a code) and what a finance person reads."""

    row: Row
    state: str
    reason: str
    message: str = ""


@dataclass(frozen=True)
class Problem:
    """Why a document cannot go yet, found by Onport's own checks, with the fix in plain words."""

    message: str
    reason: str = Reason.PREFLIGHT


@dataclass(frozen=True)
class Hold:
    """Why nothing may be sent to a Xero account now: its waiting rows are paused with this."""

    reason: str
    message: str


@dataclass
class DrainReport:
    batches: int = 0
    synced: int = 0
    failed: int = 0
    attention: int = 0
    unknown: int = 0
    adopted: int = 0
    retry_at: datetime.datetime | None = None
    more: bool = False  # the turn ended with work still due
    priority: int | None = None  # the most urgent row still due, when another turn is needed
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Nouns:
    """How an outbox's documents are named in what people read: "bill" / "created", "payment" / "recorded"."""

    document: str
    done: str


def batch_key(prefix: str, rows: Iterable[Row], material: Callable[[Row], str]) -> str:
    """The Idempotency-Key of one request: the same rows, contents and attempt give the same key (a replay),
    anything else a new one."""
    joined = "|".join(f"{row.id}:{material(row)}:{row.attempts}" for row in rows)
    return f"onport-{prefix}-" + hashlib.sha256(joined.encode()).hexdigest()[:48]


def key_stamp(rows: Sequence[OutboxRow], key: str) -> None:
    """Store the batch's key before the request: a worker killed mid-call leaves rows that the engine turns
    unknown and looks up, and a resend after a lost answer replays the same key."""
    type(rows[0]).objects.filter(id__in=[row.id for row in rows]).update(idempotency_key=key)
    for row in rows:
        row.idempotency_key = key


def retry_delay(attempts: int) -> datetime.timedelta:
    """Back-off for failures that may pass (Xero down): about 30 s, 2 min, 10 min, 30 min, then hourly.

    Up to a fifth more at random, so rows that failed together do not all come back at the same moment.
    """
    base = [30, 120, 600, 1800][max(attempts, 1) - 1] if attempts < 5 else 3600
    return datetime.timedelta(seconds=base * (1 + random.random() / 5))


def refused(row: Row, nouns: Nouns, messages: Iterable[str], report: DrainReport) -> Outcome[Row]:
    report.failed += 1
    return Outcome(row, State.FAILED, Reason.REFUSED, f"Xero refused the {nouns.document}: " + " ".join(messages))


# A lookup that fails like this would fail again (it is not an outage): a person looks instead.
LOOKUP_ERRORS = (XeroNotFound, XeroValidationError, XeroUnexpectedAnswer)


def lookup_failed(rows: Sequence[Row], error: XeroError, *, nouns: Nouns) -> list[Outcome[Row]]:
    """Xero would not answer the lookup of rows whose answer was lost: a person checks Xero (sending again
    blindly could make a second document), and the rest of the outbox goes on."""
    message = (
        f"Onport could not check in Xero whether the {nouns.document} was {nouns.done} after its answer was "
        f"lost: {error.message} Check Xero before sending it again."
    )
    return [Outcome(row, State.NEEDS_ATTENTION, Reason.REFUSED, message) for row in rows]


def day_budget_message(row: OutboxRow, nouns: Nouns) -> str:
    when = timezone.localtime(row.next_attempt_at).strftime("%H:%M")
    return (
        f"Most of Xero's daily limit for this organisation is used, and what is left is kept for syncs people "
        f"ask for: this {nouns.document} goes by itself from about {when} (or press sync accounting to send it now)."
    )


def batch_failed(
    rows: Sequence[Row], error: XeroError, report: DrainReport, *, nouns: Nouns, sent: bool
) -> list[Outcome[Row]]:
    """The whole request failed: what each row becomes depends on whether Xero may have acted on it."""
    now = timezone.now()
    for row in rows:
        row.lease_until = None
    if isinstance(error, XeroRateLimited):
        for row in rows:
            row.next_attempt_at = now + datetime.timedelta(seconds=error.retry_after)
        report.retry_at = rows[0].next_attempt_at
        if error.problem == DAY_KEPT:
            return [Outcome(row, State.PENDING, Reason.DAY_BUDGET, day_budget_message(row, nouns)) for row in rows]
        message = "Xero's rate limit was reached; it will be sent again shortly."
        return [Outcome(row, State.PENDING, Reason.RATE_LIMITED, message) for row in rows]
    if isinstance(error, XeroAuthError):
        return [Outcome(row, State.PAUSED, Reason.RECONNECT, error.message) for row in rows]
    if isinstance(error, XeroValidationError):
        return [refused(row, nouns, [error.message], report) for row in rows]
    if sent and isinstance(error, (XeroUnavailable, XeroUnexpectedAnswer)):
        report.unknown += len(rows)
        for row in rows:
            row.next_attempt_at = now + UNKNOWN_SETTLE
        checking = f"whether the {nouns.document} was {nouns.done} before sending again."
        if isinstance(error, XeroUnexpectedAnswer):
            message = f"{error.message} Checking {checking}"
        else:
            message = f"Xero did not answer; checking {checking}"
        return [Outcome(row, State.UNKNOWN, Reason.NO_ANSWER, message) for row in rows]
    for row in rows:
        row.next_attempt_at = now + retry_delay(row.attempts)
    return [Outcome(row, State.PENDING, Reason.XERO_DOWN, f"{error.message} It will be sent again.") for row in rows]
