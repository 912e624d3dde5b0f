"""The daily digest: each morning, every admin and finance member who wants it hears what still waits for a person
in each of their accounts (refused by Xero, needing attention, paused) — on days something waits, once a day."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounting.setup.models import AccountingSettings
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.selectors import WAITING_FOR_A_PERSON, waiting_for_a_person
from accounting.sync.notify import sync_recipients
from onport.mail import mail_later
from onport.models import Account

NAMED_IN_MAIL = 25
_STATE_WORDS = {
    SyncState.FAILED: "refused by Xero",
    SyncState.NEEDS_ATTENTION: "need attention",
    SyncState.PAUSED: "paused (the Xero account needs reconnecting)",
}


def accounts_waiting() -> list[int]:
    """The accounts with something waiting for a person (the digest's round)."""
    return sorted(
        set(AccountingSync.objects.filter(state__in=WAITING_FOR_A_PERSON).values_list("account_id", flat=True))
    )


def daily_digest_send(*, account_id: int) -> bool:
    """Email the account's digest to those who want it; once per account and day, however often it is asked."""
    account = Account.objects.get(pk=account_id)
    waiting = waiting_for_a_person(account=account)
    if not waiting:
        return False
    recipients = sync_recipients(account_id=account_id, wanting="email_daily_digest")
    today = timezone.localdate()
    marked = AccountingSettings.objects.filter(account=account).exclude(digest_sent_on=today)
    if not recipients or not marked.update(digest_sent_on=today):  # another round (or worker) sent today's
        return False
    oldest = (
        AccountingSync.objects.for_account(account)
        .filter(state__in=WAITING_FOR_A_PERSON)
        .select_related("invoice__vendor")
        .order_by("updated_at", "id")[:NAMED_IN_MAIL]
    )
    count = sum(waiting.values())
    base = settings.PUBLIC_BASE_URL
    lines = [
        f"{count} invoice document{'s' if count != 1 else ''} of {account.name} wait for someone before they "
        "reach Xero:",
        "",
    ]
    lines += [
        f"- {n} {_STATE_WORDS[state]}: {base}{reverse('sync:log')}?state={state}"
        for state in WAITING_FOR_A_PERSON
        if (n := waiting.get(state))
    ]
    lines += ["", "Waiting longest:"]
    lines += [
        f"- {row.invoice.number} ({row.invoice.vendor.name}), since {timezone.localtime(row.updated_at):%d %b %Y}: "
        f"{row.last_error or row.get_state_display()}"
        for row in oldest
    ]
    if count > NAMED_IN_MAIL:
        lines.append(f"…and {count - NAMED_IN_MAIL} more in the Sync log.")
    lines += ["", f"Turn this digest off under Notifications: {base}{reverse('notifications')}"]
    mail_later(  # a mail server that refuses it now gets it again later (onport.mail), not tomorrow
        subject=f"Waiting for you in Onport: {count} not in Xero ({account.name})",
        message="\n".join(lines) + "\n",
        recipients=recipients,
        what=f"daily digest of account {account_id}",
    )
    return True
