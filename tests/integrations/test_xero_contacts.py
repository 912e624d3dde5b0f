"""The organisation's contacts: the Xero boundary, the paged import (full, then incremental), the task's
retries, and the Refresh contacts action — against the sandbox over HTTP through xero-python."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounting.setup.models import AccountingSettings
from accounting.setup.tasks import xero_contacts_refresh_all
from integrations import contact_import
from integrations.models import (
    ContactImportState,
    XeroContact,
    XeroContactImport,
    XeroContactStatus,
)
from integrations.tasks import xero_contacts_import
from integrations.xero import contacts as xero_contacts
from integrations.xero import settings_lists
from integrations.xero.client import XeroClient
from integrations.xero.ratelimit import RateLimiter
from integrations.xero.sandbox import seed
from onport.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_budget():
    """The sandbox forgets its rate-limit windows at each reset; forget Onport's shared copy of them too
    (in Redis it outlives the test, and Xero's X-MinLimit-Remaining fills it to the test's budget)."""

    def forget():
        for tenant in (seed.UK_TENANT_ID, seed.AU_TENANT_ID):
            limiter = RateLimiter(tenant)
            if limiter.redis is not None:
                limiter.redis.delete(*limiter.keys)

    forget()
    yield
    forget()


SEEDED = len(seed.SUPPLIER_NAMES)


@pytest.fixture
def celery_eager(monkeypatch):
    """Tasks run in-process when enqueued (a test has no worker)."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def xero_account(connect_xero, account, admin_client_, xero_sandbox):
    return connect_xero(account=account, user=admin_client_.user, tenant=xero_sandbox.uk_tenant_id)


def contact_calls(xero_sandbox, since=0):
    return [r for r in xero_sandbox.requests(path_prefix="/api.xro/2.0/Contacts", since=since) if r["method"] == "GET"]


def run_import(xero_account) -> XeroContactImport:
    started, created = contact_import.contact_import_start(xero_account=xero_account)
    assert created
    return contact_import.contact_import_run(import_id=started.pk)


# --- the boundary ---------------------------------------------------------------------------------


def test_contacts_page_asks_for_light_pages_of_1000_with_archived_ones(xero_sandbox, xero_account):
    page = xero_contacts.contacts_page(XeroClient(xero_account), page=1)

    assert len(page.contacts) == SEEDED and not page.has_more
    archived = next(row for row in page.contacts if row.name == seed.ARCHIVED_SUPPLIER)
    assert isinstance(archived, xero_contacts.XeroContactRow) and archived.status == "ARCHIVED"
    assert all(row.contact_id and row.email for row in page.contacts)
    query = contact_calls(xero_sandbox)[-1]["query"]
    assert query["summaryOnly"].lower() == "true" and query["includeArchived"].lower() == "true"
    assert query["pageSize"] == "1000" and query["page"] == "1"


def test_contact_create_reports_a_name_clash_as_its_own_error(xero_sandbox, xero_account):
    client = XeroClient(xero_account)

    created = xero_contacts.contact_create(
        client,
        name="Brand New Supplies",
        email="ap@brandnew.test",
        tax_number="GB999",
        currency="EUR",
        contact_number="ONPORT-T1",
        idempotency_key="test-create-1",
    )
    with pytest.raises(xero_contacts.ContactNameTaken) as clash:
        xero_contacts.contact_create(
            client,
            name="harbour ceramics",
            email="",
            tax_number="",
            currency="GBP",
            contact_number="ONPORT-T2",
            idempotency_key="test-create-2",
        )

    assert created.contact_id and created.name == "Brand New Supplies" and created.status == "ACTIVE"
    assert "already assigned to another contact" in clash.value.message
    put = [r for r in xero_sandbox.requests(path_prefix="/api.xro/2.0/Contacts") if r["method"] == "PUT"][0]
    assert put["headers"]["Idempotency-Key"] == "test-create-1"
    body = put["json"]["Contacts"][0]
    assert (body["Name"], body["EmailAddress"], body["TaxNumber"], body["DefaultCurrency"], body["ContactNumber"]) == (
        "Brand New Supplies",
        "ap@brandnew.test",
        "GB999",
        "EUR",
        "ONPORT-T1",
    )


def test_settings_lists_and_the_rules_for_bills(xero_sandbox, xero_account):
    client = XeroClient(xero_account)
    accounts = {account.code: account for account in settings_lists.accounts(client)}
    rates = {rate.tax_type: rate for rate in settings_lists.tax_rates(client)}
    currencies = [currency.code for currency in settings_lists.currencies(client)]

    def account_problem(code):
        return settings_lists.bill_account_problem(accounts.get(code), code=code, organisation="UK")

    assert accounts["300"].name == "Purchases" and accounts["300"].account_class == "EXPENSE"
    assert account_problem("300") == account_problem("630") == ""
    assert "archived" in account_problem("461")
    assert "bank account" in account_problem("090")
    assert "system account" in account_problem("800")
    assert "income" in account_problem("200")
    assert "no account 999" in account_problem("999")
    assert rates["INPUT2"].can_apply_to_expenses and str(rates["INPUT2"].rate) in {"20", "20.0"}
    assert settings_lists.bill_tax_problem(rates["INPUT2"], tax_type="INPUT2", organisation="UK") == ""
    assert "sales only" in settings_lists.bill_tax_problem(rates["OUTPUT2"], tax_type="OUTPUT2", organisation="UK")
    assert "no longer active" in settings_lists.bill_tax_problem(rates["INPUT"], tax_type="INPUT", organisation="UK")
    assert currencies == ["EUR", "GBP", "USD"]


# --- the import -----------------------------------------------------------------------------------


def test_first_import_is_full_and_pages_through_1000_at_a_time(xero_sandbox, xero_account):
    xero_sandbox.bulk_contacts(xero_sandbox.uk_tenant_id, 2500)
    before = len(contact_calls(xero_sandbox))

    done = run_import(xero_account)

    calls = contact_calls(xero_sandbox)[before:]
    assert [call["query"]["page"] for call in calls] == ["1", "2", "3"]
    assert all("If-Modified-Since" not in call["headers"] for call in calls)
    assert (done.state, done.pages_done, done.contacts_seen, done.modified_since) == (
        ContactImportState.DONE,
        3,
        2500 + SEEDED,
        None,
    )
    assert XeroContact.objects.filter(xero_account=xero_account).count() == 2500 + SEEDED
    archived = XeroContact.objects.get(xero_account=xero_account, name=seed.ARCHIVED_SUPPLIER)
    assert archived.status == XeroContactStatus.ARCHIVED and archived.account_id == xero_account.account_id


def test_later_imports_ask_only_for_changes_since_the_last_one_started(xero_sandbox, xero_account):
    first = run_import(xero_account)
    uk = xero_sandbox.uk_tenant_id
    xero_sandbox.set_contact_status(uk, xero_sandbox.seeded_contact_id(uk, "Cobalt Freight"), "ARCHIVED")
    xero_sandbox.set_contact_status(uk, xero_sandbox.seeded_contact_id(uk, seed.ARCHIVED_SUPPLIER), "ACTIVE")
    xero_sandbox.bulk_contacts(uk, 3, prefix="New Supplier")
    before = len(contact_calls(xero_sandbox))

    second = run_import(xero_account)

    call = contact_calls(xero_sandbox)[before:]
    assert len(call) == 1 and "If-Modified-Since" in call[0]["headers"]
    assert second.modified_since == first.started_at
    assert (second.state, second.contacts_seen) == (ContactImportState.DONE, 5)
    statuses = dict(XeroContact.objects.filter(xero_account=xero_account).values_list("name", "status"))
    assert statuses["Cobalt Freight"] == "ARCHIVED" and statuses[seed.ARCHIVED_SUPPLIER] == "ACTIVE"
    assert len(statuses) == SEEDED + 3


def test_ten_thousand_contacts_import_within_the_rate_limit_with_few_queries(xero_sandbox, xero_account):
    xero_sandbox.configure(rate_per_minute=60, rate_window_seconds=60)  # Xero's real minute budget
    xero_sandbox.bulk_contacts(xero_sandbox.uk_tenant_id, 10_000)
    since = xero_sandbox.requests()[-1]["id"]

    with CaptureQueriesContext(connection) as queries:
        done = run_import(xero_account)

    calls = xero_sandbox.requests(path_prefix="/api.xro", since=since)
    assert len(calls) == 11 and all(call["status"] == 200 for call in calls)
    assert (done.state, done.pages_done, done.contacts_seen) == (ContactImportState.DONE, 11, 10_000 + SEEDED)
    assert XeroContact.objects.filter(xero_account=xero_account).count() == 10_000 + SEEDED
    # A constant handful per page, not one per contact: the upsert of a page is 2 statements on
    # PostgreSQL and ~12 on SQLite (its 999-parameter limit splits it).
    assert len(queries) <= 11 * 16


def test_the_task_retries_a_rate_limited_page_and_carries_on_from_it(xero_sandbox, xero_account, celery_eager):
    xero_sandbox.bulk_contacts(xero_sandbox.uk_tenant_id, 2500)
    started, _ = contact_import.contact_import_start(xero_account=xero_account)
    xero_sandbox.faults(script=["ok", "ok", "429"], path_prefix="/api.xro/2.0/Contacts")  # page 3 refused once
    since = xero_sandbox.requests()[-1]["id"]

    xero_contacts_import.apply(args=[started.pk])

    calls = [(call["query"]["page"], call["status"]) for call in contact_calls(xero_sandbox, since=since)]
    assert calls == [("1", 200), ("2", 200), ("3", 429), ("3", 200)]
    started.refresh_from_db()
    assert (started.state, started.pages_done, started.contacts_seen) == (ContactImportState.DONE, 3, 2500 + SEEDED)


def test_an_import_finishes_within_a_tight_budget(xero_sandbox, xero_account, celery_eager, settings):
    xero_sandbox.bulk_contacts(xero_sandbox.uk_tenant_id, 2500)
    started, _ = contact_import.contact_import_start(xero_account=xero_account)
    # 2 calls per 2-second "minute", in Xero and in Onport's shared budget alike
    xero_sandbox.configure(rate_per_minute=2, rate_window_seconds=2)
    settings.XERO_CALLS_PER_MINUTE, settings.XERO_RATE_WINDOW_SECONDS = 2, 2.0

    xero_contacts_import.apply(args=[started.pk])

    started.refresh_from_db()
    assert (started.state, started.pages_done, started.contacts_seen) == (ContactImportState.DONE, 3, 2500 + SEEDED)


def test_only_one_import_runs_per_xero_account(xero_account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as enqueued:
        first, created = contact_import.contact_import_start(xero_account=xero_account)
        again, created_again = contact_import.contact_import_start(xero_account=xero_account)

    assert created and not created_again and again.pk == first.pk
    assert len(enqueued) == 1


def test_the_daily_refresh_imports_for_the_xero_account_chosen_for_accounting(
    xero_account, celery_eager, django_capture_on_commit_callbacks
):
    AccountingSettings.objects.create(account=xero_account.account, xero_account=xero_account)

    with django_capture_on_commit_callbacks(execute=True):
        xero_contacts_refresh_all.apply()

    assert XeroContactImport.objects.get(xero_account=xero_account).state == ContactImportState.DONE
    assert XeroContact.objects.filter(xero_account=xero_account).count() == SEEDED


def test_a_failed_import_says_why_and_the_next_one_is_full_again(xero_sandbox, xero_account):
    xero_sandbox.disconnect_tenant(xero_sandbox.uk_tenant_id)

    failed = run_import(xero_account)
    xero_account.refresh_from_db()

    assert failed.state == ContactImportState.FAILED and "reconnect" in failed.error.lower()
    assert not xero_account.is_ready


# --- Integrations › Xero › a Xero account › Contacts ------------------------------------------------


def test_admin_refreshes_contacts_and_sees_the_result(
    xero_sandbox, xero_account, admin_client_, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(reverse("integrations:xero_contacts_refresh", args=[xero_account.pk]))

    assert response.status_code == 302
    page = admin_client_.get(xero_account.get_absolute_url()).content.decode()
    assert "Refresh contacts" in page and f'<strong id="xero-contacts-total">{SEEDED}</strong>' in page
    assert "1 archived in Xero" in page and "Last refreshed" in page
    status = admin_client_.get(reverse("integrations:xero_contacts_status", args=[xero_account.pk]))
    assert status.status_code == 200 and 'data-import-state="done"' in status.content.decode()


def test_a_running_import_is_polled_with_its_progress(xero_account, admin_client_):
    contact_import.contact_import_start(xero_account=xero_account)  # enqueued on commit: never runs here
    XeroContactImport.objects.filter(xero_account=xero_account).update(pages_done=2, contacts_seen=2000)

    html = admin_client_.get(reverse("integrations:xero_contacts_status", args=[xero_account.pk])).content.decode()

    assert 'hx-trigger="every 2s"' in html and "2 pages done, 2000 contacts so far" in html


@pytest.mark.parametrize("client_fixture", ["finance_client", "viewer_client"])
def test_only_admins_refresh_contacts(request, client_fixture, xero_account):
    client = request.getfixturevalue(client_fixture)

    assert client.post(reverse("integrations:xero_contacts_refresh", args=[xero_account.pk])).status_code == 403
    assert client.get(reverse("integrations:xero_contacts_status", args=[xero_account.pk])).status_code == 403
    assert not XeroContactImport.objects.exists()


def test_another_accounts_xero_account_answers_404(admin_client_, other_account):
    from integrations.services import xero_account_create

    foreign = xero_account_create(account=other_account, name="Theirs")

    for pk in (foreign.pk, 999_999):
        assert admin_client_.post(reverse("integrations:xero_contacts_refresh", args=[pk])).status_code == 404
        assert admin_client_.get(reverse("integrations:xero_contacts_status", args=[pk])).status_code == 404
