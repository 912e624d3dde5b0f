"""Drift alerts: admins and finance hear once of each difference between Xero and Onport, whoever found it
(the nightly check or a webhook), and again only if it went away and came back."""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from accounting.reconcile.models import DriftNotice
from integrations.models import XeroAccount
from invoicing.models import PurchaseInvoice
from onport.mail import mail_later
from onport.models import Membership, Role

NAMED_IN_MAIL = 25  # differences named in the email; the Reconcile page has them all


def _key(found) -> str:
    return f"{found.difference}:{found.invoice_id or ''}:{found.xero_id}"[:120]


def drift_notices_update(
    *, xero_account: XeroAccount, found: list, judged_invoice_ids, judged_xero_ids, judged_differences=None
) -> list:
    """Of `found` (comparison lines), those not told before; notices of what was judged and is gone are dropped.

    `judged_*` say what this look could see: a webhook judges its bills' payments and totals, not credit notes."""
    by_key = {_key(line): line for line in found}
    told = set(
        DriftNotice.objects.filter(xero_account=xero_account, key__in=list(by_key)).values_list("key", flat=True)
    )
    new = [line for key, line in by_key.items() if key not in told]
    judged = DriftNotice.objects.filter(xero_account=xero_account).filter(
        Q(invoice_id__in=list(judged_invoice_ids)) | Q(invoice=None, xero_id__in=list(judged_xero_ids))
    )
    if judged_differences is not None:
        judged = judged.filter(difference__in=list(judged_differences))
    judged.exclude(key__in=list(by_key)).delete()
    DriftNotice.objects.bulk_create(
        [
            DriftNotice(
                account_id=xero_account.account_id,
                xero_account=xero_account,
                key=_key(line),
                difference=line.difference,
                invoice_id=line.invoice_id,
                xero_id=line.xero_id,
                explanation=line.explanation[:500],
            )
            for line in new
        ],
        ignore_conflicts=True,
    )
    return new


def drift_email(*, xero_account: XeroAccount, found: list, contact_flags: list[str] = (), why: str) -> bool:
    """Email admins and finance of the account what is new; True if sent. `why` opens the message."""
    if not found and not contact_flags:
        return False
    members = Membership.objects.filter(account_id=xero_account.account_id, role__in=[Role.ADMIN, Role.FINANCE])
    recipients = sorted({member.user.email for member in members.select_related("user") if member.user.email})
    if not recipients:
        return False
    invoices = PurchaseInvoice.objects.filter(
        account_id=xero_account.account_id, pk__in=[line.invoice_id for line in found if line.invoice_id]
    )
    invoices = {invoice.pk: invoice for invoice in invoices.select_related("vendor")}
    named = []
    for line in found[:NAMED_IN_MAIL]:
        invoice = invoices.get(line.invoice_id)
        named.append(
            f"- {invoice.number} ({invoice.vendor.name}): {line.explanation}"
            if invoice
            else f"- {line.xero_number or line.xero_id}: {line.explanation}"
        )
    more = [f"…and {len(found) - NAMED_IN_MAIL} more."] if len(found) > NAMED_IN_MAIL else []
    link = f"{settings.PUBLIC_BASE_URL}{reverse('reconcile:page', args=[xero_account.pk])}"
    name = xero_account.name
    if found:
        subject = f"Xero and Onport disagree: {len(found)} new difference{'s' if len(found) != 1 else ''} ({name})"
    else:
        subject = f"Xero contacts changed: {len(contact_flags)} vendor{'s' if len(contact_flags) != 1 else ''} ({name})"
    parts = [why, "", *named, *more]
    if contact_flags:
        parts += ["", "Vendors whose Xero contact changed:", *(f"- {flag}" for flag in contact_flags)]
    parts += ["", f"What to do about each, and the CSV:\n{link}"]
    mail_later(
        subject=subject,
        message="\n".join(parts) + "\n",
        recipients=recipients,
        what=f"drift of Xero account {xero_account.pk}",
    )
    return True
