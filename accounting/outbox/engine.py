"""The one outbox engine: every Xero write (bills, credit notes, adjustment bills, payments) goes through it.

An outbox names its model and how to send and look up its documents; the engine does the rest the same
way for all: leases batches (SKIP LOCKED, no HTTP inside the transaction), runs alone per Xero account,
turns a lost answer into `unknown` and looks the document up before anything is sent again, pauses a
Xero account that needs reconnecting, and waits out rate limits and outages.
"""

import datetime
import logging
from abc import ABC, abstractmethod
from typing import ClassVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounting.outbox.models import OutboxRow, Reason, State
from accounting.outbox.results import LOOKUP_ERRORS, DrainReport, Hold, Nouns, Outcome, lookup_failed
from integrations.models import XeroAccount
from integrations.services import xero_client
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroAuthError, XeroError, XeroRateLimited
from onport.db import bulk_update_rows
from onport.locks import exclusive

logger = logging.getLogger(__name__)

LOCK_SECONDS = 300
XERO_DOWN_RETRY = datetime.timedelta(seconds=30)
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
        return list(self.model.objects.filter(id__in=ids).order_by("id"))

    def record(self, outcomes: list[Outcome]) -> None:
        """Save many rows' new states in one statement."""
        rows = self.apply(outcomes)
        bulk_update_rows(rows, ["state", "last_error", "reason", "updated_at", *self.record_fields])

    # -- the engine ---------------------------------------------------------------------------------
    def rows(self, xero_account_id: int | None = None) -> models.QuerySet:
        rows = self.model.objects.all()
        return rows if xero_account_id is None else rows.filter(xero_account_id=xero_account_id)

    def claim(self, xero_account: XeroAccount) -> list:
        """Lease up to a batch of due rows, skipping rows another worker holds; a short transaction, no HTTP."""
        now = timezone.now()
        lease = datetime.timedelta(seconds=settings.SYNC_LEASE_SECONDS)  # a dead worker holds rows this long
        with transaction.atomic():
            due_rows = due(self.rows(xero_account.pk), State.PENDING).select_for_update(skip_locked=True)
            ids = list(due_rows.order_by("id").values_list("id", flat=True)[: self.batch_size])
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

    def drain(self, *, xero_account_id: int) -> DrainReport:
        """Resolve unknown rows and send leased batches until nothing is due; one drain per Xero account."""
        report = DrainReport()
        with exclusive(f"xero-drain:{self.name}:{xero_account_id}", seconds=LOCK_SECONDS) as held:
            if held is None:
                report.notes.append("another drain is running")
                return report
            xero_account = XeroAccount.objects.get(pk=xero_account_id)
            hold = self.hold(xero_account)
            if hold is not None:
                self.pause(xero_account, hold)
                return report
            try:
                client = xero_client(xero_account)
                while True:
                    held.extend()
                    resolved = self._resolve_due(client, report)
                    rows = self.claim(xero_account)
                    if not rows and not resolved:
                        break
                    if rows:
                        self.record(self.send(client, rows, report))
                        report.batches += 1
            except XeroAuthError:
                self.pause(xero_account, reconnect_hold(xero_account))
            except XeroRateLimited as limited:
                report.retry_at = timezone.now() + datetime.timedelta(seconds=limited.retry_after)
            except XeroError as error:  # Xero down while resolving: nothing was sent, come back later
                report.notes.append(error.message)
                report.retry_at = timezone.now() + XERO_DOWN_RETRY
        logger.info("outbox drain outbox=%s xero_account=%s batches=%d synced=%d failed=%d unknown=%d adopted=%d",
                    self.name, xero_account_id, report.batches, report.synced, report.failed, report.unknown,
                    report.adopted)
        return report

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
                self.record([Outcome(row, State.PENDING, Reason.RESUMED, "Xero is reconnected; sending again.")
                             for row in rows])
        due_rows = self.rows().filter(state__in=[State.PENDING, State.UNKNOWN])
        due_rows = due_rows.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
        return sorted(set(due_rows.values_list("xero_account_id", flat=True)))

    def _resolve_due(self, client: XeroClient, report: DrainReport) -> bool:
        self.expire_leases(client.xero_account.pk)
        ids = list(due(self.rows(client.xero_account.pk), State.UNKNOWN).order_by("id").values_list("id", flat=True))
        rows = self.load(ids[:RESOLVE_BATCH])
        if not rows:
            return False
        for row in rows:
            row.lease_until = None
        try:
            outcomes = self.resolve(client, rows, report)
        except LOOKUP_ERRORS as error:  # this batch of lookups needs a person; it must not stop the outbox
            report.attention += len(rows)
            outcomes = lookup_failed(rows, error, nouns=self.nouns)
        self.record(outcomes)
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


def reconnect_hold(xero_account: XeroAccount) -> Hold:
    message = f"Paused: the Xero account “{xero_account.name}” needs reconnecting (Integrations > Xero)."
    return Hold(Reason.RECONNECT, message)
