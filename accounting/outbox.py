"""What every Xero outbox shares (bills, credit notes, payments): due rows, leasing a batch, and a drain
that runs alone per Xero account and turns Xero's refusals into pause / come-back-later."""

import datetime
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations.models import XeroAccount
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroAuthError, XeroError, XeroRateLimited

LOCK_SECONDS = 300
XERO_DOWN_RETRY = datetime.timedelta(seconds=30)


def due(rows: models.QuerySet, state: str) -> models.QuerySet:
    """Rows in `state` whose next attempt time has come."""
    return rows.filter(state=state).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))


def lease(rows: models.QuerySet, *, pending: str, sending: str, seconds: datetime.timedelta, size: int) -> list[int]:
    """Lease up to `size` due rows, skipping rows another worker holds; a short transaction, no HTTP."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(due(rows, pending).select_for_update(skip_locked=True).order_by("id").values_list("id", flat=True)[:size])
        rows.model.objects.filter(id__in=ids).update(
            state=sending, lease_until=now + seconds, attempts=F("attempts") + 1, updated_at=now
        )
    return ids


def run_drain(
    *,
    name: str,
    xero_account_id: int,
    report,
    resolve: Callable[[XeroClient], bool],
    claim: Callable[[XeroAccount], list],
    send: Callable[[XeroClient, list], None],
    pause: Callable[[XeroAccount, str], None],
    refusal: Callable[[XeroAccount], str] = lambda xero_account: "",
):
    """Resolve unknown rows and send leased batches until nothing is due; one drain per Xero account at a time.

    `report` needs `batches`, `notes` and `retry_at`; a reconnect-needed account pauses its rows (`pause`),
    a rate limit or an outage sets `retry_at`.
    """
    lock_key, token = f"xero-drain:{name}:{xero_account_id}", uuid.uuid4().hex
    if not cache.add(lock_key, token, LOCK_SECONDS):
        report.notes.append("another drain is running")
        return report
    try:
        xero_account = XeroAccount.objects.get(pk=xero_account_id)
        problem = "" if xero_account.is_ready else "reconnect"
        problem = problem or refusal(xero_account)
        if problem:
            pause(xero_account, "" if problem == "reconnect" else problem)
            return report
        client = XeroClient(xero_account)
        while True:
            cache.touch(lock_key, LOCK_SECONDS)
            resolved = resolve(client)
            rows = claim(xero_account)
            if not rows and not resolved:
                break
            if rows:
                send(client, rows)
                report.batches += 1
    except XeroAuthError:
        pause(XeroAccount.objects.get(pk=xero_account_id), "")
    except XeroRateLimited as limited:
        report.retry_at = timezone.now() + datetime.timedelta(seconds=limited.retry_after)
    except XeroError as error:  # Xero down while resolving: nothing was sent, come back later
        report.notes.append(error.message)
        report.retry_at = timezone.now() + XERO_DOWN_RETRY
    finally:
        if cache.get(lock_key) == token:
            cache.delete(lock_key)
    return report
