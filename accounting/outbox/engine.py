"""The one outbox engine: every Xero write (bills, credit notes, adjustment bills, payments) goes through it.

An outbox names its model and how to send and look up its documents; the engine does the rest the same
way for all: leases batches (SKIP LOCKED, no HTTP inside the transaction; the most urgent rows first),
sends up to five batches of one Xero account at once (one per drain), turns a lost answer into `unknown`
and looks the document up (one drain at a time) before anything is sent again, pauses a Xero account that
needs reconnecting, waits out rate limits and outages, and gives the worker back after a turn so other
organisations' work is not stuck behind one backlog.
"""

import datetime
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from accounting.outbox.models import OutboxRow, Priority, Reason, State
from accounting.outbox.results import LOOKUP_ERRORS, DrainReport, Hold, Nouns, Outcome, lookup_failed
from accounting.outbox.telemetry import batch_observed
from integrations.models import XeroAccount
from integrations.services import xero_client
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroAuthError, XeroError, XeroRateLimited
from onport.db import bulk_update_rows
from integrations.xero.ratelimit import URGENT, Share, share_for_background
from onport.locks import exclusive, one_of

logger = logging.getLogger("onport.sync")  # the drains' lines, beside their batches' (telemetry)

XERO_DOWN_RETRY = datetime.timedelta(seconds=30)
URGENT_RECHECK = datetime.timedelta(seconds=2)
RESOLVE_BATCH = 50


def due(rows: models.QuerySet, state: str) -> models.QuerySet:
    """Rows in `state` whose next attempt time has come."""
    return rows.filter(state=state).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))


class Outbox(ABC):
    """One kind of outbox row on its way to Xero. Subclasses say how to send and how to look up."""

    name: ClassVar[str]  # names the drain's lock and its log lines
    model: ClassVar[type[OutboxRow]]
    nouns: ClassVar[Nouns]
    batch_size: ClassVar[int] = 50
    record_fields: ClassVar[list[str]] = ["xero_id", "synced_at", "idempotency_key", "next_attempt_at", "lease_until"]

    # -- what each outbox says ----------------------------------------------------------------------
    @abstractmethod
    def send(self, client: XeroClient, rows: list, report: DrainReport) -> list[Outcome]:
        """Send leased rows (one request per kind of document) and say what became of each."""

    @abstractmethod
    def resolve(self, client: XeroClient, rows: list, report: DrainReport) -> list[Outcome]:
        """Rows whose outcome is unknown: adopt what Xero has, else make them pending again."""

    def hold(self, xero_account: XeroAccount) -> Hold | None:
        """Why nothing may be sent to this Xero account now, or None."""
        return None if xero_account.is_ready else reconnect_hold(xero_account)

    def load(self, ids: list[int]) -> list:
        return list(self.model.objects.filter(id__in=ids).order_by("priority", "id"))

    def record(self, outcomes: list[Outcome]) -> None:
        """Save many rows' new states in one statement."""
        rows = self.apply(outcomes)
        bulk_update_rows(rows, ["state", "last_error", "reason", "updated_at", *self.record_fields])

    # -- the engine ---------------------------------------------------------------------------------
    def rows(self, xero_account_id: int | None = None) -> models.QuerySet:
        rows = self.model.objects.all()
        return rows if xero_account_id is None else rows.filter(xero_account_id=xero_account_id)

    def claim(self, xero_account: XeroAccount, *, urgent_only: bool = False) -> list:
        """Lease up to a batch of due rows (only a person's, if `urgent_only`), skipping rows another worker
        holds; a short transaction, no HTTP."""
        now = timezone.now()
        lease = datetime.timedelta(seconds=settings.SYNC_LEASE_SECONDS)  # a dead worker holds rows this long
        with transaction.atomic():
            due_rows = due(self.rows(xero_account.pk), State.PENDING).select_for_update(skip_locked=True)
            if urgent_only:
                due_rows = due_rows.filter(priority=Priority.MANUAL)
            ids = list(due_rows.order_by("priority", "id").values_list("id", flat=True)[: self.batch_size])
            self.model.objects.filter(id__in=ids).update(
                state=State.SENDING, lease_until=now + lease, attempts=F("attempts") + 1, updated_at=now
            )
        return self.load(ids)

    def expire_leases(self, xero_account_id: int | None = None) -> None:
        """Rows whose worker died mid-request: their outcome is unknown until looked up."""
        now = timezone.now()
        self.rows(xero_account_id).filter(state=State.SENDING, lease_until__lt=now).update(
            state=State.UNKNOWN, next_attempt_at=now, updated_at=now
        )

    def pause(self, xero_account: XeroAccount, hold: Hold) -> None:
        """Hold the rows not yet sent (a `sending` row may be in Xero already: it is resolved later)."""
        rows = list(self.rows(xero_account.pk).filter(state=State.PENDING))
        self.record([Outcome(row, State.PAUSED, hold.reason, hold.message) for row in rows])

    def drain(
        self, *, xero_account_id: int, spawn: Callable[[int], None] | None = None, urgent_only: bool = False
    ) -> DrainReport:
        """Resolve unknown rows and send leased batches until nothing is due, the budget is spent or the
        turn is over (`report.more`: queue another turn behind other organisations' work).

        Up to XERO_CONCURRENT_CALLS + 1 drains of one Xero account (and one for people's rows) run at once,
        each with batches of its own (Xero's five calls in flight are the limiter's to keep);
        `spawn(priority)` is asked once for one more when a full batch suggests more work is due. An
        `urgent_only` drain (the urgent queue's) sends only what people asked for and leaves the rest.
        """
        report = DrainReport()
        name, slots = drain_slots(self.name, xero_account_id, urgent_only)
        with one_of(name, slots=slots, seconds=lock_seconds()) as held:
            if held is None:
                report.notes.append("as many drains as Xero allows are running")
                if urgent_only and self._urgent_due(xero_account_id):
                    # the running drains lease a person's rows first; look again shortly in case they stop
                    report.retry_at, report.priority = timezone.now() + URGENT_RECHECK, Priority.MANUAL
                return report
            xero_account = XeroAccount.objects.get(pk=xero_account_id)
            hold = self.hold(xero_account)
            if hold is not None:
                self.pause(xero_account, hold)
                return report
            self._turn(xero_account, held, report, spawn, urgent_only)
        if report.more or report.retry_at:
            report.priority = self.next_priority(xero_account_id)
        logger.info(
            "outbox drain outbox=%s xero_account=%s batches=%d synced=%d failed=%d unknown=%d adopted=%d",
            self.name,
            xero_account_id,
            report.batches,
            report.synced,
            report.failed,
            report.unknown,
            report.adopted,
            extra={
                "outbox": self.name,
                "xero_account_id": xero_account_id,
                "batches": report.batches,
                "synced": report.synced,
                "failed": report.failed,
                "unknown": report.unknown,
                "adopted": report.adopted,
                "more": report.more,
            },
        )
        return report

    def _turn(self, xero_account: XeroAccount, held, report: DrainReport, spawn, urgent_only: bool) -> None:
        turn_ends = time.monotonic() + float(settings.XERO_DRAIN_TURN_SECONDS)
        try:
            client = xero_client(xero_account, max_wait=float(settings.XERO_DRAIN_MAX_WAIT))
            while True:
                held.extend()
                resolved = self._resolve_due(client, report)
                rows = self.claim(xero_account, urgent_only=urgent_only)
                if not rows and not resolved:
                    return
                if rows:
                    if spawn is not None and len(rows) == self.batch_size:
                        spawn(min(row.priority for row in rows))
                        spawn = None
                    client.share = share_for(rows)
                    client.waited_for_app = False
                    with batch_observed(self, xero_account, phase="send", rows=len(rows)) as batch:
                        outcomes = self.send(client, rows, report)
                        self.record(outcomes)
                        batch.outcomes = outcomes
                    report.batches += 1
                if report.retry_at:  # the budget is spent for now: come back when it frees
                    return
                if time.monotonic() > turn_ends or (client.waited_for_app and not client.share.urgent):
                    # the turn is over, or organisations share a scarce app minute: a worker held here for a
                    # whole turn would leave the organisations queued behind it with no call at all
                    report.more = True
                    return
        except XeroAuthError:
            self.pause(xero_account, reconnect_hold(xero_account))
        except XeroRateLimited as limited:
            report.retry_at = timezone.now() + datetime.timedelta(seconds=limited.retry_after)
        except XeroError as error:  # Xero down while resolving: nothing was sent, come back later
            report.notes.append(error.message)
            report.retry_at = timezone.now() + XERO_DOWN_RETRY

    def _urgent_due(self, xero_account_id: int) -> bool:
        return due(self.rows(xero_account_id), State.PENDING).filter(priority=Priority.MANUAL).exists()

    def next_priority(self, xero_account_id: int) -> int | None:
        """The most urgent priority among the rows still to send or check (None: nothing left)."""
        rows = self.rows(xero_account_id).filter(state__in=[State.PENDING, State.UNKNOWN])
        return rows.aggregate(most_urgent=Min("priority"))["most_urgent"]

    def most_urgent_due(self, xero_account_ids: list[int]) -> dict[int, int]:
        """The most urgent priority still to send or check, per Xero account, in one query."""
        rows = self.rows().filter(xero_account_id__in=xero_account_ids, state__in=[State.PENDING, State.UNKNOWN])
        by_account = rows.values("xero_account_id").annotate(most_urgent=Min("priority")).order_by()
        return {row["xero_account_id"]: row["most_urgent"] for row in by_account}

    def sweep(self) -> list[int]:
        """Expired leases → unknown, reconnected accounts → pending; the ids of the Xero accounts with work due."""
        self.expire_leases()
        paused = self.rows().filter(state=State.PAUSED).values("xero_account_id")
        for xero_account in XeroAccount.objects.filter(pk__in=paused):
            if self.hold(xero_account) is None:
                rows = list(self.rows(xero_account.pk).filter(state=State.PAUSED))
                now = timezone.now()
                for row in rows:
                    row.next_attempt_at = now
                self.record(
                    [Outcome(row, State.PENDING, Reason.RESUMED, "Xero is reconnected; sending again.") for row in rows]
                )
        due_rows = self.rows().filter(state__in=[State.PENDING, State.UNKNOWN])
        due_rows = due_rows.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
        return sorted(set(due_rows.values_list("xero_account_id", flat=True)))

    def _resolve_due(self, client: XeroClient, report: DrainReport) -> bool:
        """Look up rows whose outcome is unknown: one drain of the Xero account at a time does this (a row
        must not be adopted by one drain while another makes it pending again)."""
        with exclusive(f"xero-resolve:{self.name}:{client.xero_account.pk}", seconds=lock_seconds()) as held:
            return held is not None and self._resolve_batch(client, report)

    def _resolve_batch(self, client: XeroClient, report: DrainReport) -> bool:
        self.expire_leases(client.xero_account.pk)
        ids = list(due(self.rows(client.xero_account.pk), State.UNKNOWN).order_by("id").values_list("id", flat=True))
        rows = self.load(ids[:RESOLVE_BATCH])
        if not rows:
            return False
        for row in rows:
            row.lease_until = None
        client.share = share_for(rows)
        with batch_observed(self, client.xero_account, phase="resolve", rows=len(rows)) as batch:
            try:
                outcomes = self.resolve(client, rows, report)
            except LOOKUP_ERRORS as error:  # this batch of lookups needs a person; it must not stop the outbox
                report.attention += len(rows)
                outcomes = lookup_failed(rows, error, nouns=self.nouns)
            self.record(outcomes)
            batch.outcomes = outcomes
        return True

    @staticmethod
    def apply(outcomes: list[Outcome]) -> list[OutboxRow]:
        """Set each row's state, reason and message as its outcome says (SYNCED clears the last error)."""
        now = timezone.now()
        for outcome in outcomes:
            row = outcome.row
            row.state, row.reason, row.updated_at = outcome.state, outcome.reason, now
            if outcome.state == State.SYNCED:
                row.last_error = ""
            elif outcome.state != State.PENDING:
                row.last_error = outcome.message
        return [outcome.row for outcome in outcomes]


def drain_slots(outbox_name: str, xero_account_id: int, urgent_only: bool) -> tuple[str, int]:
    """The lock name and number of drains a Xero account may run at once: one more than calls in flight (it
    builds its batch while the others are in Xero); people's drains have as many of their own, so that a
    backlog waiting on Xero's limits in every slot never keeps a person's sync from the limiter, where it
    goes first (the limiter keeps Xero's five in flight for all of them together)."""
    name = f"xero-drain:{outbox_name}:{xero_account_id}"
    return (f"{name}:people" if urgent_only else name), int(settings.XERO_CONCURRENT_CALLS) + 1


def lock_seconds() -> int:
    """How long a drain's lock outlives a dead worker (each batch extends it)."""
    return int(settings.XERO_DRAIN_LOCK_SECONDS)


def share_for(rows: list[OutboxRow]) -> Share:
    """What a batch may spend of the shared budgets: as much as its most urgent row."""
    most_urgent = min(row.priority for row in rows)
    if most_urgent == Priority.MANUAL:
        return URGENT
    return share_for_background(backfill=most_urgent == Priority.BACKFILL)


def reconnect_hold(xero_account: XeroAccount) -> Hold:
    message = f"Paused: the Xero account “{xero_account.name}” needs reconnecting (Integrations > Xero)."
    return Hold(Reason.RECONNECT, message)
