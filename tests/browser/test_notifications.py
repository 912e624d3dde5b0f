"""The top bar says how many invoices wait for a person; Notifications turns the emails off."""

import pytest
from playwright.sync_api import expect

from accounting.setup.models import AccountingSettings
from accounting.sync.models import SyncState
from onport.models import Membership
from tests.factories import MembershipFactory
from tests.invoicing.test_payments_paging import bill_rows, invoices_bulk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_follows_the_top_bar_count_and_turns_the_emails_off(page, login, account):
    made = invoices_bulk(account, 4)
    bill_rows(
        account,
        {
            made[0]: SyncState.FAILED,
            made[1]: SyncState.FAILED,
            made[2]: SyncState.NEEDS_ATTENTION,
            made[3]: SyncState.SYNCED,
        },
    )
    AccountingSettings.objects.get_or_create(account=account)
    finance = MembershipFactory(account=account, role="finance")
    login(page, finance.user.email)

    # the top bar: 3 wait for a person; the link opens the Sync log of the refused ones
    waiting = page.locator(".topbar-waiting")
    expect(waiting).to_have_text("3 need you")
    waiting.click()
    expect(page.get_by_role("heading", name="Sync log")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(2)

    # Notifications, from the user menu: untick the immediate email
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Notifications").click()
    page.get_by_label("Email me at once when an automatic sync needs a person").uncheck()
    page.get_by_role("button", name="Save notifications").click()
    expect(page.get_by_text("Your notifications for Demo Retail are saved.")).to_be_visible()
    expect(page.get_by_label("Email me at once when an automatic sync needs a person")).not_to_be_checked()
    finance = Membership.objects.get(pk=finance.pk)
    assert (finance.email_sync_stops, finance.email_daily_digest) == (False, True)
