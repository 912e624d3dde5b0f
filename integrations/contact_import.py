"""Import the organisation's contacts into Onport (XeroContact), a page of 1,000 at a time.

The first import is full; later ones ask only for what changed since the start of the last
successful one (If-Modified-Since). Archived contacts are kept and marked. Each page is one bulk
upsert plus one progress update, so a 10,000-contact organisation costs 10 calls and ~20 queries.
A task runs it in the background (integrations/tasks.py); one import per Xero account at a time.
"""

import datetime

from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Subquery, When
from django.utils import timezone

from integrations.models import (
    ContactImportState,
    VendorXeroLink,
    XeroAccount,
    XeroContact,
    XeroContactImport,
    XeroContactStatus,
)
from integrations.selectors import contact_import_last_done
from integrations.services import xero_account_choose_tenant, xero_client
from integrations.xero.contacts import XeroContactRow, contacts_page
from integrations.xero.errors import XeroError, XeroRateLimited, XeroUnavailable

STALE_AFTER = datetime.timedelta(minutes=30)  # a "running" import older than this has died with its worker
UPSERT_FIELDS = ["name", "email", "tax_number", "contact_number", "status", "xero_updated_at", "imported_at"]


def xero_tenant_choose(*, xero_account: XeroAccount, tenant_id: str) -> XeroAccount:
    """Choose the Tenant (checked live, `xero_account_choose_tenant`), then start the first import of its contacts:
    vendors can be linked as soon as the organisation is known, before Setup > Accounting names it."""
    xero_account = xero_account_choose_tenant(xero_account=xero_account, tenant_id=tenant_id)
    if not xero_account.contact_imports.exists():
        contact_import_start(xero_account=xero_account)
    return xero_account


def contact_import_start(*, xero_account: XeroAccount) -> tuple[XeroContactImport, bool]:
    """Start an import in the background, unless one is already running: (the import, whether it is new)."""
    from integrations.tasks import xero_contacts_import  # tasks import this module

    with transaction.atomic():
        XeroAccount.objects.select_for_update().filter(pk=xero_account.pk).first()  # one starter at a time
        running = xero_account.contact_imports.filter(state=ContactImportState.RUNNING).order_by("-started_at").first()
        if running is not None and running.started_at > timezone.now() - STALE_AFTER:
            return running, False
        if running is not None:
            _finish(
                running.pk,
                state=ContactImportState.FAILED,
                error="It stopped without finishing; a new import replaced it.",
            )
        last_done = contact_import_last_done(xero_account=xero_account)
        contact_import = XeroContactImport.objects.create(
            account_id=xero_account.account_id,
            xero_account=xero_account,
            modified_since=last_done.started_at if last_done else None,
        )
        transaction.on_commit(lambda: xero_contacts_import.delay(contact_import.pk))
    return contact_import, True


def contact_import_run(*, import_id: int) -> XeroContactImport:
    """Import page after page, carrying on from the last page saved (after a retry, say).

    XeroRateLimited and XeroUnavailable are raised for the task to retry; any other Xero error
    ends the import as failed, with the reason in plain words.
    """
    contact_import = XeroContactImport.objects.select_related("xero_account").get(pk=import_id)
    if contact_import.state != ContactImportState.RUNNING:
        return contact_import
    xero_account = contact_import.xero_account
    if not xero_account.is_ready:
        return contact_import_fail(
            import_id=import_id, error="The Xero account is not connected; reconnect it and refresh again."
        )
    client = xero_client(xero_account)
    page = contact_import.pages_done + 1
    while True:
        try:
            result = contacts_page(client, page=page, modified_since=contact_import.modified_since)
        except (XeroRateLimited, XeroUnavailable):
            raise
        except XeroError as error:
            return contact_import_fail(import_id=import_id, error=error.message)
        with transaction.atomic():
            _upsert(xero_account, result.contacts)
            still_running = XeroContactImport.objects.filter(pk=import_id, state=ContactImportState.RUNNING).update(
                pages_done=F("pages_done") + 1, contacts_seen=F("contacts_seen") + len(result.contacts)
            )
        if not still_running or not result.has_more:
            break
        page += 1
    _refresh_link_names(xero_account)
    _finish(import_id, state=ContactImportState.DONE)
    return XeroContactImport.objects.get(pk=import_id)


def contact_import_fail(*, import_id: int, error: str) -> XeroContactImport:
    _finish(import_id, state=ContactImportState.FAILED, error=error)
    return XeroContactImport.objects.get(pk=import_id)


def xero_contacts_upsert(*, xero_account: XeroAccount, rows: list[XeroContactRow]) -> None:
    """Save contacts Xero returned (an import page, or one contact just created) into the local list."""
    _upsert(xero_account, rows)


def _finish(import_id: int, *, state: str, error: str = "") -> None:
    XeroContactImport.objects.filter(pk=import_id, state=ContactImportState.RUNNING).update(
        state=state, error=error, finished_at=timezone.now()
    )


def _status(value: str) -> str:
    return value if value in XeroContactStatus.values else XeroContactStatus.ACTIVE


def _upsert(xero_account: XeroAccount, rows) -> None:
    if not rows:
        return
    now = timezone.now()
    contacts = [
        XeroContact(
            account_id=xero_account.account_id,
            xero_account=xero_account,
            contact_id=row.contact_id,
            name=row.name[:255],
            email=row.email[:255],
            tax_number=row.tax_number[:50],
            contact_number=row.contact_number[:50],
            status=_status(row.status),
            xero_updated_at=row.updated_at,
            imported_at=now,
        )
        for row in rows
        if row.contact_id
    ]
    XeroContact.objects.bulk_create(
        contacts,
        update_conflicts=True,
        unique_fields=["xero_account", "contact_id"],
        update_fields=UPSERT_FIELDS,
        batch_size=500,
    )


def _refresh_link_names(xero_account: XeroAccount) -> None:
    """Vendor links show the contact's name: follow renames made in Xero, keeping the name it was linked by
    so the vendor page can say so (one query)."""
    same_contact = XeroContact.objects.filter(xero_account=xero_account, contact_id=OuterRef("contact_id"))
    renamed = same_contact.exclude(name=OuterRef("contact_name"))
    VendorXeroLink.objects.filter(xero_account=xero_account).filter(Exists(renamed)).update(
        renamed_from=Case(When(renamed_from="", then=F("contact_name")), default=F("renamed_from")),
        contact_name=Subquery(same_contact.values("name")[:1]),
    )
