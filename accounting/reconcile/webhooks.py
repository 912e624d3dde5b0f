"""Xero's webhooks: keep each event once, then read what changed back from Xero by id, in batches.

A bill changed in Xero updates where Onport last saw it (`BillSeen`) and, if Xero and Onport now disagree,
admins and finance hear of it as they do from the nightly check (which stays as the backstop). A vendor's
contact archived or renamed in Xero flags the vendor. Onport stays a one-way exporter: no invoice changes.

Only Onport's own bills and vendors' contacts are read: an organisation's sales invoices and customers raise
events too, and they cost nothing here. Echoes of Onport's own writes (an event no later than the sync that
wrote the bill) are not read back either.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounting.reconcile.alerts import drift_email
from accounting.reconcile.judge import bills_judge, onport_bills
from integrations.contact_import import xero_contacts_upsert
from integrations.models import XeroAccount, XeroContact, XeroContactStatus, XeroWebhookEvent
from integrations.services import xero_client
from integrations.xero.bill_pages import bills_by_id
from integrations.xero.client import XeroClient
from integrations.xero.contacts import contacts_by_id
from integrations.xero.errors import XeroError, XeroRateLimited, XeroUnavailable
from integrations.xero.ratelimit import share_for_background
from integrations.xero.webhooks import WebhookEvent

BATCH = 500  # events taken at a time
KEPT_DAYS = 30


@dataclass
class Processed:
    """What one processing run did (the task logs it; the benchmark prints it)."""

    events: int = 0
    bills_read: int = 0
    contacts_read: int = 0
    differences: int = 0
    vendors_flagged: int = 0
    calls: int = 0


def webhook_events_receive(*, events: list[WebhookEvent]) -> int:
    """Keep the events (each once, however often Xero sends it) and have them processed in the background."""
    from accounting.reconcile.tasks import xero_webhook_events  # tasks import this module

    if not events:
        return 0
    XeroWebhookEvent.objects.bulk_create(
        [
            XeroWebhookEvent(
                tenant_id=event.tenant_id,
                category=event.category,
                event_type=event.event_type,
                resource_id=event.resource_id,
                event_date=event.event_date,
            )
            for event in events
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(lambda: xero_webhook_events.delay())
    return len(events)


def webhook_events_pending() -> bool:
    return XeroWebhookEvent.objects.filter(processed_at=None).exists()


def webhook_events_prune(*, kept_days: int = KEPT_DAYS) -> int:
    """Forget processed events after a while (Xero sends again for 24 h at most, so dedupe needs far less)."""
    cutoff = timezone.now() - datetime.timedelta(days=kept_days)
    deleted, _ = XeroWebhookEvent.objects.filter(processed_at__lt=cutoff).delete()
    return deleted


def webhook_events_process() -> Processed:
    """Process what is pending, oldest first, until nothing is. A rate limit or an outage is raised for the task
    to retry; the events stay pending and are read again (recording what Xero says twice changes nothing)."""
    outcome = Processed()
    while True:
        events = list(XeroWebhookEvent.objects.filter(processed_at=None).order_by("received_at", "id")[:BATCH])
        if not events:
            return outcome
        by_tenant = defaultdict(list)
        for event in events:
            by_tenant[event.tenant_id].append(event)
        for tenant_id, tenant_events in by_tenant.items():
            note = _tenant_process(tenant_id, tenant_events, outcome)
            XeroWebhookEvent.objects.filter(pk__in=[event.pk for event in tenant_events]).update(
                processed_at=timezone.now(), outcome=note[:200]
            )
        outcome.events += len(events)


def _tenant_process(tenant_id: str, events: list[XeroWebhookEvent], outcome: Processed) -> str:
    xero_accounts = [
        xero_account
        for xero_account in XeroAccount.objects.filter(tenant_id__iexact=tenant_id).select_related("account")
        if xero_account.is_ready
    ]
    if not xero_accounts:
        return "No connected Xero account has this organisation."
    notes = []
    for xero_account in xero_accounts:
        client = xero_client(xero_account)
        client.share = share_for_background(backfill=False)
        try:
            found = _bills_changed(xero_account, client, [e for e in events if e.category == "INVOICE"], outcome)
            flags = _contacts_changed(xero_account, client, [e for e in events if e.category == "CONTACT"], outcome)
        except (XeroRateLimited, XeroUnavailable):
            raise
        except XeroError as error:  # reconnect needed, a refused lookup…: told here, the nightly check catches up
            notes.append(f"{xero_account.name}: {error.message}")
            continue
        finally:
            outcome.calls += client.calls
        if found or flags:
            name = " ".join(xero_account.name.split())
            why = f"Xero just told Onport of changes in {name}; this is where Xero and Onport no longer agree:"
            transaction.on_commit(
                lambda x=xero_account, f=found, c=flags, w=why: drift_email(
                    xero_account=x, found=f, contact_flags=c, why=w
                )
            )
        notes.append(f"{xero_account.name}: {len(found)} new difference(s), {len(flags)} vendor(s) flagged")
    return "; ".join(notes)


def _bills_changed(
    xero_account: XeroAccount, client: XeroClient, events: list[XeroWebhookEvent], outcome: Processed
) -> list:
    latest = {}
    for event in events:
        latest[event.resource_id] = max(event.event_date, latest.get(event.resource_id, event.event_date))
    if not latest:
        return []
    rows = onport_bills(xero_account=xero_account, xero_ids=latest)
    wanted = {
        row.xero_id.lower(): row.invoice_id
        for row in rows
        if not (row.synced_at and latest[row.xero_id.lower()] <= row.synced_at)
    }  # not our own echo
    if not wanted:
        return []
    bills = {bill.xero_id: bill for bill in bills_by_id(client, list(wanted))}
    outcome.bills_read += len(bills)
    new = bills_judge(xero_account=xero_account, bills=bills, invoice_ids=set(wanted.values()))
    outcome.differences += len(new)
    return new


def _contacts_changed(
    xero_account: XeroAccount, client: XeroClient, events: list[XeroWebhookEvent], outcome: Processed
) -> list[str]:
    """Vendors' contacts archived or renamed in Xero: the contact list follows, the vendors are flagged."""
    ids = [event.resource_id for event in events]
    if not ids:
        return []
    either_case = ids + [contact_id.upper() for contact_id in ids]
    links = list(xero_account.vendor_links.filter(contact_id__in=either_case).select_related("vendor"))
    if not links:
        return []
    linked_ids = [link.contact_id for link in links]
    rows = {row.contact_id.lower(): row for row in contacts_by_id(client, linked_ids)}
    outcome.contacts_read += len(rows)
    before = {
        contact.contact_id.lower(): contact.status
        for contact in XeroContact.objects.filter(xero_account=xero_account, contact_id__in=linked_ids)
    }
    xero_contacts_upsert(xero_account=xero_account, rows=list(rows.values()))
    flags = []
    for link in links:
        row = rows.get(link.contact_id.lower())
        if row is None:
            continue
        if (
            row.status == XeroContactStatus.ARCHIVED
            and before.get(link.contact_id.lower()) != XeroContactStatus.ARCHIVED
        ):
            flags.append(
                f"{link.vendor.name}: its Xero contact “{row.name}” was archived in Xero; Xero refuses bills "
                "to it. Un-archive it in Xero or link the vendor to another contact."
            )
        if row.name and row.name != link.contact_name:
            flags.append(
                f"{link.vendor.name}: its Xero contact was renamed in Xero from “{link.contact_name}” to "
                f"“{row.name}”. Check it is still this vendor."
            )
            link.renamed_from = link.renamed_from or link.contact_name
            link.contact_name = row.name[:255]
            link.save(update_fields=["renamed_from", "contact_name", "updated_at"])
    outcome.vendors_flagged += len(flags)
    return flags
