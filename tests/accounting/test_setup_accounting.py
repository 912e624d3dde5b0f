"""Setup › Accounting (admins only): the Xero account, automatic sync, and bill coding checked against
Xero's live lists (sandbox over HTTP) so that nothing Xero would refuse is saved."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounting.setup.models import AccountingSettings, TaxRateMapping
from accounting.setup.services import accounting_settings_get
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from integrations.models import VendorXeroLink, XeroContactImport
from integrations.services import xero_account_create
from integrations.xero.ratelimit import RateLimiter
from integrations.xero.sandbox import seed
from tests.factories import PASSWORD, VendorFactory, invoice_create, order_create

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


URL = "/setup/accounting/"
BASE = {"line_amount_type": "Exclusive", "bill_status": "DRAFT", "due_date_from_terms": "on"}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # the lists are cached per Xero account, and ids repeat between tests


@pytest.fixture
def uk(connect_xero, account, admin_client_, xero_sandbox):
    return connect_xero(account=account, user=admin_client_.user, tenant=xero_sandbox.uk_tenant_id)


@pytest.fixture
def chosen(uk, account):
    """Setup › Accounting with the UK organisation chosen, and orders taxed at 20 % and 5 %."""
    vendor = VendorFactory(account=account)
    order_create(vendor=vendor, tax_rate="20.00")
    order_create(vendor=vendor, tax_rate="5.00", shipping="0.00")
    AccountingSettings.objects.create(account=account, xero_account=uk)
    return uk


def settings_of(account) -> AccountingSettings:
    return AccountingSettings.objects.get(account=account)


def last_request(xero_sandbox) -> int:
    """The id of the sandbox's latest request: what connecting (and choosing the organisation) read is before it."""
    return max((request["id"] for request in xero_sandbox.requests()), default=0)


def list_calls(xero_sandbox, *, since: int):
    """The reads of Xero's lists after request `since`."""
    paths = ("/api.xro/2.0/Accounts", "/api.xro/2.0/TaxRates", "/api.xro/2.0/Currencies")
    return [r for r in xero_sandbox.requests(path_prefix="/api.xro", since=since) if r["path"] in paths]


def test_setup_index_links_to_accounting(admin_client_):
    assert reverse("accounting:setup_accounting") == URL
    assert URL in admin_client_.get(reverse("accounting:setup_index")).content.decode()


@pytest.mark.parametrize("client_fixture", ["finance_client", "viewer_client"])
def test_setup_accounting_is_for_admins_only(request, client_fixture, account):
    client = request.getfixturevalue(client_fixture)

    assert client.get(URL).status_code == 403
    assert client.post(URL, {**BASE, "auto_sync_dropship": "on"}).status_code == 403
    assert not AccountingSettings.objects.filter(auto_sync_dropship=True).exists()


def test_choose_the_connected_xero_account(
    admin_client_, uk, account, other_account, django_capture_on_commit_callbacks
):
    not_connected = xero_account_create(account=account, name="Not yet")
    theirs = xero_account_create(account=other_account, name="Theirs")
    page = admin_client_.get(URL).content.decode()
    assert "Main entity (Onport Demo (UK))" in page and "Not yet" not in page

    refused = [
        admin_client_.post(URL, {**BASE, "xero_account": pk}).status_code for pk in (not_connected.pk, theirs.pk)
    ]
    with django_capture_on_commit_callbacks() as enqueued:
        chosen = admin_client_.post(URL, {**BASE, "xero_account": uk.pk})

    assert refused == [400, 400] and chosen.status_code == 302
    assert settings_of(account).xero_account == uk
    assert XeroContactImport.objects.filter(xero_account=uk).count() == 1 and len(enqueued) == 1  # first import


def test_choices_come_from_xero_and_only_what_a_bill_may_use(admin_client_, chosen, xero_sandbox):
    since = last_request(xero_sandbox)
    html = admin_client_.get(URL).content.decode()

    for offered in (
        "300 – Purchases",
        "425 – Freight &amp; Courier",
        "630 – Inventory",
        "20% (VAT on Expenses) – INPUT2",
        "Zero Rated Expenses (0%) – ZERORATEDINPUT",
    ):
        assert offered in html
    for refused in ('value="090"', 'value="461"', 'value="800"', 'value="200"', 'value="OUTPUT2"', 'value="INPUT"'):
        assert refused not in html
    assert "Onport tax rate 20%" in html and "Onport tax rate 5%" in html
    assert len(list_calls(xero_sandbox, since=since)) == 3


def test_the_lists_are_cached_and_reloaded_on_request(admin_client_, chosen, xero_sandbox):
    since = last_request(xero_sandbox)
    admin_client_.get(URL)
    admin_client_.get(URL)
    assert len(list_calls(xero_sandbox, since=since)) == 3

    admin_client_.get(URL, {"reload": "1"})
    assert len(list_calls(xero_sandbox, since=since)) == 6


def test_admin_saves_the_accounting_settings(admin_client_, chosen, account):
    data = {
        **BASE,
        "auto_sync_dropship": "on",
        "product_account_code": "300",
        "shipping_account_code": "425",
        "line_amount_type": "Inclusive",
        "bill_status": "AUTHORISED",
        "tax_20_00": "INPUT2",
        "tax_5_00": "RRINPUT",
    }

    response = admin_client_.post(URL, data)

    assert response.status_code == 302
    saved = settings_of(account)
    assert (
        saved.auto_sync_dropship,
        saved.auto_sync_replenishment,
        saved.product_account_code,
        saved.shipping_account_code,
        saved.line_amount_type,
        saved.bill_status,
        saved.due_date_from_terms,
    ) == (True, False, "300", "425", "Inclusive", "AUTHORISED", True)
    assert dict(TaxRateMapping.objects.values_list("rate", "tax_type")) == {
        Decimal("20.00"): "INPUT2",
        Decimal("5.00"): "RRINPUT",
    }
    assert TaxRateMapping.objects.get(rate=20).account == account


@pytest.mark.parametrize(
    "field,code,explained",
    [
        ("product_account_code", "461", "is archived in Xero, so Xero would refuse bills coded to it"),
        ("product_account_code", "090", "is a bank account"),
        ("shipping_account_code", "800", "is a system account that Xero keeps itself"),
        ("shipping_account_code", "200", "is an income account"),
        ("tax_20_00", "OUTPUT2", "is for sales only: Xero refuses it on bills"),
    ],
)
def test_a_mapping_xero_would_refuse_is_not_saved_and_says_why(admin_client_, chosen, account, field, code, explained):
    data = {
        **BASE,
        "auto_sync_dropship": "on",
        "product_account_code": "300",
        "shipping_account_code": "425",
        "tax_20_00": "INPUT2",
        field: code,
    }

    response = admin_client_.post(URL, data)

    html = response.content.decode()
    assert response.status_code == 400 and explained in html and "Nothing was saved" in html
    assert f'<option value="{code}" selected>{code} – refused by Xero</option>' in html  # what was refused stays shown
    saved = settings_of(account)
    assert (saved.product_account_code, saved.shipping_account_code, saved.auto_sync_dropship) == ("", "", False)
    assert not TaxRateMapping.objects.exists()


def test_the_lists_are_read_afresh_when_saving(admin_client_, chosen, account, xero_sandbox):
    admin_client_.get(URL)  # the page offered 300 (now cached as active)
    xero_sandbox.set_account_status(xero_sandbox.uk_tenant_id, "300", "ARCHIVED")

    response = admin_client_.post(URL, {**BASE, "product_account_code": "300"})

    assert response.status_code == 400 and "is archived in Xero" in response.content.decode()
    assert settings_of(account).product_account_code == ""


def test_a_saved_code_archived_since_is_flagged(admin_client_, chosen, account, xero_sandbox):
    AccountingSettings.objects.filter(account=account).update(product_account_code="429")
    xero_sandbox.set_account_status(xero_sandbox.uk_tenant_id, "429", "ARCHIVED")

    html = admin_client_.get(URL).content.decode()

    assert "Saved in Onport but refused by Xero now" in html and "429 – can&#x27;t be used on bills any more" in html


def test_when_xero_is_unreachable_the_saved_values_stay(admin_client_, chosen, account, xero_sandbox):
    AccountingSettings.objects.filter(account=account).update(product_account_code="300", shipping_account_code="425")
    TaxRateMapping.objects.create(account=account, xero_account=chosen, rate=Decimal("20.00"), tax_type="INPUT2")
    TaxRateMapping.objects.create(account=account, xero_account=chosen, rate=Decimal("5.00"), tax_type="RRINPUT")
    xero_sandbox.faults(probabilities={"503_before": 1.0})

    page = admin_client_.get(URL)
    saved = admin_client_.post(URL, {**BASE, "auto_sync_replenishment": "on", "product_account_code": "461"})

    html = page.content.decode()
    assert "Xero could not be reached" in html and "The saved values are kept" in html
    assert "<dd>300</dd>" in html and "<dd>425</dd>" in html and "<dd>INPUT2</dd>" in html
    assert saved.status_code == 302
    settings = settings_of(account)
    assert (settings.auto_sync_replenishment, settings.product_account_code, settings.shipping_account_code) == (
        True,
        "300",
        "425",
    )
    assert TaxRateMapping.objects.get(rate=20).tax_type == "INPUT2"


def test_switching_the_xero_account_clears_the_codes_of_the_other_organisation(
    admin_client_, chosen, account, connect_xero, xero_sandbox
):
    AccountingSettings.objects.filter(account=account).update(product_account_code="300")
    au = connect_xero(account=account, user=admin_client_.user, name="Australia", tenant=xero_sandbox.au_tenant_id)

    admin_client_.post(URL, {**BASE, "xero_account": au.pk})

    assert (settings_of(account).xero_account, settings_of(account).product_account_code) == (au, "")
    assert "GST on Expenses" in admin_client_.get(URL).content.decode()


# --- Sync adjustments: only once support (Django staff) switched it on ------------------------------


def test_sync_adjustments_is_hidden_and_ignored_until_support_enables_it(admin_client_, chosen, account):
    html = admin_client_.get(URL).content.decode()
    admin_client_.post(URL, {**BASE, "sync_adjustments": "on"})

    assert "Sync adjustments" not in html
    assert settings_of(account).sync_adjustments is False


def test_support_enables_adjustments_in_django_admin_then_the_admin_switches_them_on(admin_client_, chosen, account):
    staff = get_user_model().objects.create_superuser("support@onport.test", "support@onport.test", PASSWORD)
    support = Client()
    support.force_login(staff)
    settings = accounting_settings_get(account=account)
    change_url = reverse("admin:accounting_accountingsettings_change", args=[settings.pk])

    assert support.get(change_url).status_code == 200
    assert support.post(change_url, {"adjustments_enabled_by_staff": "on"}).status_code == 302
    assert settings_of(account).adjustments_enabled_by_staff

    assert "Sync adjustments" in admin_client_.get(URL).content.decode()
    admin_client_.post(URL, {**BASE, "sync_adjustments": "on"})
    assert settings_of(account).sync_adjustments is True


def test_customers_cannot_reach_the_staff_admin(admin_client_, chosen):
    response = admin_client_.get(reverse("admin:accounting_accountingsettings_changelist"))

    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_opening_setup_accounting_writes_nothing(admin_client_, account):
    # given an account that never saved Setup > Accounting
    assert not AccountingSettings.objects.filter(account=account).exists()

    # when an admin opens the page, then it shows the defaults and stores nothing
    assert admin_client_.get(reverse("accounting:setup_accounting")).status_code == 200
    assert not AccountingSettings.objects.filter(account=account).exists()


# --- Automatic sync needs what bills need; saving re-checks the invoices waiting on Setup ----------------------


def test_automatic_sync_is_refused_without_what_bills_need_every_problem_at_once(admin_client_, chosen, account):
    response = admin_client_.post(URL, {**BASE, "auto_sync_dropship": "on", "tax_20_00": "INPUT2"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved: automatic sync needs every choice marked below" in html
    form = response.context["form"]
    assert form.errors["product_account_code"] == [
        "Choose the account code for product lines: automatic sync needs it."
    ]
    assert form.errors["shipping_account_code"] == [
        "Choose the account code for shipping lines: automatic sync needs it."
    ]
    assert form.errors["tax_5_00"] == [
        "Choose the Xero tax type for 5%: automatic sync needs one for every tax rate your orders use."
    ]
    assert "tax_20_00" not in form.errors and "Xero would refuse" not in html
    assert settings_of(account).auto_sync_dropship is False


def test_a_refusal_by_xero_and_a_missing_choice_are_listed_together(admin_client_, chosen, account):
    response = admin_client_.post(
        URL,
        {
            **BASE,
            "auto_sync_replenishment": "on",
            "product_account_code": "461",
            "tax_20_00": "INPUT2",
            "tax_5_00": "RRINPUT",
        },
    )

    form = response.context["form"]
    assert response.status_code == 400 and set(form.errors) == {
        "__all__",
        "product_account_code",
        "shipping_account_code",
    }
    assert "is archived in Xero" in form.errors["product_account_code"][0]
    assert form.non_field_errors() == [
        "Nothing was saved: Xero would refuse some of these choices (see below). Nothing was saved: automatic sync "
        "needs every choice marked below, or bills would wait for a person."
    ]


def test_without_automatic_sync_codes_may_be_chosen_later(admin_client_, chosen, account):
    assert admin_client_.post(URL, {**BASE}).status_code == 302


def test_saving_setup_sends_again_the_invoices_that_waited_on_it(
    admin_client_, chosen, account, xero_sandbox, django_capture_on_commit_callbacks
):
    # given: a 5 % invoice whose bill waits for a tax type (Setup maps only 20 %)
    AccountingSettings.objects.filter(account=account).update(product_account_code="300", shipping_account_code="425")
    TaxRateMapping.objects.create(account=account, xero_account=chosen, rate=Decimal("20.00"), tax_type="INPUT2")
    vendor = VendorFactory(account=account, name="Acme Packaging")
    VendorXeroLink.objects.create(
        account=account,
        vendor=vendor,
        xero_account=chosen,
        contact_name="Acme Packaging Ltd",
        contact_id=xero_sandbox.seeded_contact_id(chosen.tenant_id, "Acme Packaging Ltd"),
    )
    invoice = invoice_create(order=order_create(vendor=vendor, tax_rate="5.00"))
    sync_request(invoice=invoice, actor=admin_client_.user)
    drain(xero_account_id=chosen.pk)
    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.NEEDS_ATTENTION

    # when: the admin maps 5 % and saves
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            URL,
            {
                **BASE,
                "product_account_code": "300",
                "shipping_account_code": "425",
                "tax_20_00": "INPUT2",
                "tax_5_00": "RRINPUT",
            },
            follow=True,
        )

    # then: it says so, and the bill is in Xero
    assert "Accounting settings saved. 1 invoice that waited on these settings is on its way to Xero again." in (
        response.content.decode()
    )
    sync = AccountingSync.objects.get(invoice=invoice)
    assert (
        sync.state == SyncState.SYNCED
        and sync.events.filter(message__startswith="Setup > Accounting was saved").exists()
    )


def test_choosing_another_xero_account_in_the_one_form_stops_automatic_sync_until_its_codes_are_chosen(
    admin_client_, chosen, account, connect_xero, xero_sandbox
):
    AccountingSettings.objects.filter(account=account).update(
        product_account_code="300", shipping_account_code="425", auto_sync_dropship=True
    )
    au = connect_xero(account=account, user=admin_client_.user, name="Australia", tenant=xero_sandbox.au_tenant_id)

    response = admin_client_.post(
        URL, {**BASE, "xero_account": au.pk, "auto_sync_dropship": "on", "product_account_code": "300"}, follow=True
    )

    saved = settings_of(account)
    assert (saved.xero_account, saved.product_account_code, saved.shipping_account_code, saved.auto_sync_dropship) == (
        au,
        "",
        "",
        False,
    )
    assert (
        "Invoices now sync to Australia (Onport Demo (AU)). Choose its account codes and tax types below. "
        "Automatic sync is off until they are chosen."
    ) in response.content.decode()
