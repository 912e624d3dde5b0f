"""Notifications: each member chooses the account's emails; the daily digest of what waits for a person; the top
bar's count."""

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from accounting.setup.models import AccountingSettings
from accounting.sync.digest import daily_digest_send
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from accounting.sync.tasks import sync_digest_all
from onport.models import Membership
from tests.fixtures.flaky_mail import REFUSALS, refuse_next
from tests.factories import PASSWORD, MembershipFactory, invoice_create, order_create
from tests.invoicing.test_payments_paging import bill_rows, invoices_bulk

pytestmark = pytest.mark.django_db


def _client(membership) -> Client:
    client = Client()
    assert client.login(request=HttpRequest(), username=membership.user.username, password=PASSWORD)
    return client


def test_a_member_turns_the_immediate_email_off_and_is_left_out(
    books, linked_vendor, account, mailoutbox, django_capture_on_commit_callbacks
):
    finance = MembershipFactory(account=account, role="finance")
    client = _client(finance)
    page = client.get(reverse("notifications"))
    assert page.status_code == 200 and page.context["form"].initial == {"sync_stops": True, "daily_digest": True}

    response = client.post(reverse("notifications"), {"daily_digest": "on"}, follow=True)

    assert "Your notifications for Demo Retail are saved." in response.content.decode()
    finance.refresh_from_db()
    assert (finance.email_sync_stops, finance.email_daily_digest) == (False, True)
    # when an automatic sync is refused by Xero
    books.sandbox.set_account_status(books.xero_account.tenant_id, "300", "ARCHIVED")
    sync_request(invoice=invoice_create(order=order_create(vendor=linked_vendor)), automatic=True)
    with django_capture_on_commit_callbacks(execute=True):
        drain(xero_account_id=books.xero_account.pk)
    [mail] = mailoutbox
    assert mail.to == [books.admin.email] and "Turn these emails off under Notifications" in mail.body


def test_a_viewer_is_told_they_get_no_emails(account, viewer_client):
    assert "As a viewer you get no emails" in viewer_client.get(reverse("notifications")).content.decode()


def _waiting(account, count=3):
    made = invoices_bulk(account, count + 1)
    states = [SyncState.FAILED, SyncState.NEEDS_ATTENTION, SyncState.PAUSED]
    bill_rows(
        account,
        {**{invoice: states[index % 3] for index, invoice in enumerate(made[:count])}, made[count]: SyncState.SYNCED},
    )
    AccountingSettings.objects.get_or_create(account=account)
    AccountingSync.objects.filter(state=SyncState.FAILED).update(
        last_error="Xero refused the bill: Account code '300' is not a valid code for this document."
    )
    return made


def test_the_daily_digest_goes_once_a_day_to_those_who_want_it(
    account, other_account, mailoutbox, django_capture_on_commit_callbacks
):
    admin = MembershipFactory(account=account, role="admin")
    finance = MembershipFactory(account=account, role="finance")
    MembershipFactory(account=account, role="finance", email_daily_digest=False)
    MembershipFactory(account=account, role="viewer")
    MembershipFactory(account=other_account, role="admin")
    made = _waiting(account)

    with django_capture_on_commit_callbacks(execute=True):  # the email goes after the commit
        assert sync_digest_all() == 1  # the other account has nothing waiting
        assert sync_digest_all() == 0  # once a day, however often asked

    [mail] = mailoutbox
    assert sorted(mail.to) == sorted([admin.user.email, finance.user.email])
    assert mail.subject == "Waiting for you in Onport: 3 not in Xero (Demo Retail)"
    assert "- 1 refused by Xero: " in mail.body and "/accounting/sync-log/?state=failed" in mail.body
    assert "- 1 need attention: " in mail.body and "- 1 paused (the Xero account needs reconnecting): " in mail.body
    for invoice in made[:3]:
        assert f"- {invoice.number} (" in mail.body
    assert made[3].number not in mail.body
    assert "Account code '300' is not a valid code" in mail.body and "/account/notifications/" in mail.body


def test_no_digest_when_nothing_waits(account, mailoutbox):
    MembershipFactory(account=account, role="admin")
    invoices = invoices_bulk(account, 2)
    bill_rows(account, {invoice: SyncState.SYNCED for invoice in invoices})
    assert sync_digest_all() == 0 and mailoutbox == []


def test_a_digest_the_mail_server_refused_goes_once_it_takes_mail_again_and_only_once_a_day(
    account, mailoutbox, settings, django_capture_on_commit_callbacks
):
    MembershipFactory(account=account, role="admin")
    _waiting(account)
    settings.EMAIL_BACKEND = "tests.fixtures.flaky_mail.FlakyEmailBackend"
    refuse_next(2)  # the mail server refuses twice: the mail task tries again (onport.mail), not tomorrow's round

    with django_capture_on_commit_callbacks(execute=True):
        assert daily_digest_send(account_id=account.pk) is True
    with django_capture_on_commit_callbacks(execute=True):
        assert daily_digest_send(account_id=account.pk) is False  # today's is sent

    assert REFUSALS["seen"] == 2 and len(mailoutbox) == 1


def test_the_top_bar_count_is_this_accounts_and_for_finance(account, other_account, finance_client, viewer_client):
    _waiting(account, count=4)
    _waiting(other_account, count=5)

    answer = finance_client.get(reverse("sync:waiting_count")).json()

    assert answer == {"count": 4, "words": "4 need you", "url": "/accounting/sync-log/?state=failed"}
    assert viewer_client.get(reverse("sync:waiting_count")).status_code == 403
    page = finance_client.get(reverse("invoicing:invoice_list")).content.decode()
    assert f'data-waiting-count-url="{reverse("sync:waiting_count")}"' in page
    assert "data-waiting-count-url" not in viewer_client.get(reverse("invoicing:invoice_list")).content.decode()


def test_notification_choices_are_per_account(account, other_account):
    user = MembershipFactory(account=account, role="finance").user
    there = Membership.objects.create(user=user, account=other_account, role="admin")
    client = _client(there)
    client.post(reverse("account_switch"), {"account": other_account.pk})
    client.post(reverse("notifications"), {})
    assert list(
        Membership.objects.filter(user=user).order_by("account__name").values_list("account__name", "email_sync_stops")
    ) == [("Demo Retail", True), (other_account.name, False)]
