"""What the drains tell operators: one log line per batch, the documents counted as synced, and the outbox
gauges (due rows, age of the oldest) read from the database when Prometheus scrapes.

The gauges are computed at scrape time, not kept by the drains: a drain runs in one of many Celery processes,
and only the database knows the outbox as a whole. Nothing here queries the database while a drain runs.
"""

import logging
import time
from collections import Counter as Tally
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db.models import Count, F, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from accounting.outbox.models import State
from accounting.outbox.results import Outcome

logger = logging.getLogger("onport.sync")

SYNCED = Counter(
    "onport_outbox_synced",
    'Documents Xero now holds as Onport has them (bills: outbox="bills")',
    ["outbox", "kind", "reason"],
)


@dataclass
class Batch:
    outcomes: list[Outcome] = field(default_factory=list)


@contextmanager
def batch_observed(outbox, xero_account, *, phase: str, rows: int) -> Iterator[Batch]:
    """Log one line for a batch of `outbox` (`phase`: "send" or "resolve") and count what it synced; the
    drain sets `batch.outcomes` once they are recorded. No query: all it reads is already loaded."""
    batch, started, error = Batch(), time.monotonic(), ""
    try:
        yield batch
    except Exception as raised:  # logged with the batch, then left to the drain's own handlers
        error = type(raised).__name__
        raise
    finally:
        states = dict(Tally(str(outcome.state) for outcome in batch.outcomes))
        outcome = "error" if error else next(iter(states)) if len(states) == 1 else "mixed" if states else "none"
        duration_ms = (time.monotonic() - started) * 1000
        fields = {
            "outbox": outbox.name,
            "phase": phase,
            "xero_account_id": xero_account.pk,
            "tenant_id": xero_account.tenant_id,
            "account_id": xero_account.account_id,
            "rows": rows,
            "outcome": outcome,
            "states": states,
            "duration_ms": round(duration_ms, 1),
        }
        if error:
            fields["error"] = error
        logger.info(
            "outbox batch %s/%s xero_account=%s rows=%d outcome=%s in %.0f ms",
            outbox.name,
            phase,
            xero_account.pk,
            rows,
            outcome,
            duration_ms,
            extra=fields,
        )
        for done in batch.outcomes:
            if done.state == State.SYNCED:
                kind = getattr(done.row, "kind", "") or outbox.nouns.document
                SYNCED.labels(outbox=outbox.name, kind=kind, reason=str(done.reason)).inc()


class OutboxCollector(Collector):
    """Per outbox: how many rows are due to send (pending or to look up, their time come), and how long the
    oldest of them has been due (since its next attempt time, or its last change when it has none)."""

    def __init__(self, outboxes: Iterable):
        self.outboxes = list(outboxes)

    def collect(self):
        depth = GaugeMetricFamily(
            "onport_outbox_due_rows", "Outbox rows due to be sent or looked up", labels=["outbox"]
        )
        age = GaugeMetricFamily(
            "onport_outbox_oldest_due_age_seconds", "Seconds the oldest due outbox row has waited", labels=["outbox"]
        )
        now = timezone.now()
        for outbox in self.outboxes:
            due = (
                outbox.rows()
                .filter(state__in=[State.PENDING, State.UNKNOWN])
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            )
            found = due.aggregate(rows=Count("id"), since=Min(Coalesce(F("next_attempt_at"), F("updated_at"))))
            depth.add_metric([outbox.name], found["rows"])
            age.add_metric([outbox.name], max((now - found["since"]).total_seconds(), 0.0) if found["since"] else 0.0)
        yield depth
        yield age
