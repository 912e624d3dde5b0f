"""Contacts > Vendors: the list, a new vendor, the contact edit page and the Dropship provider settings."""

from decimal import Decimal

import pytest
from django.urls import reverse

from contacts.models import Vendor, VendorKind
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier(account):
    return VendorFactory(account=account, kind=VendorKind.REPLENISHMENT, name="Acme Wholesale")


@pytest.fixture
def provider(account):
    return VendorFactory(account=account, kind=VendorKind.DROPSHIP, name="Drop Co")


VENDOR_POST = {"kind": "dropship", "currency": "GBP", "payment_terms_days": 30, "default_tax_rate": "20"}


def settings_url(vendor, tab="general"):
    return reverse("contacts:vendor_settings", args=[vendor.pk, tab])


# --- the list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("client_fixture", ["admin_client_", "finance_client", "viewer_client"])
def test_every_role_sees_the_vendor_list(request, client_fixture, provider, supplier):
    client = request.getfixturevalue(client_fixture)

    response = client.get(reverse("contacts:vendor_list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Drop Co" in html and "Acme Wholesale" in html
    assert settings_url(provider) in html
    assert reverse("contacts:vendor_edit", args=[supplier.pk]) in html
    assert ("+ New dropship provider" in html) == (client_fixture != "viewer_client")


def test_vendor_list_filters_by_kind_and_name(admin_client_, provider, supplier, account):
    VendorFactory(account=account, kind=VendorKind.DROPSHIP, name="Another Dropper")

    by_kind = admin_client_.get(reverse("contacts:vendor_list"), {"kind": "replenishment"})
    by_name = admin_client_.get(reverse("contacts:vendor_list"), {"q": "drop co"})

    assert [v.name for v in by_kind.context["page"]] == ["Acme Wholesale"]
    assert [v.name for v in by_name.context["page"]] == ["Drop Co"]


def test_vendor_list_shows_only_this_accounts_vendors(admin_client_, provider, other_account):
    VendorFactory(account=other_account, name="Not Yours Ltd")

    html = admin_client_.get(reverse("contacts:vendor_list")).content.decode()

    assert "Drop Co" in html and "Not Yours Ltd" not in html


def test_vendor_list_pages_by_fifty(admin_client_, account):
    VendorFactory.create_batch(55, account=account)

    first = admin_client_.get(reverse("contacts:vendor_list"))
    second = admin_client_.get(reverse("contacts:vendor_list"), {"page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 5
    assert "?page=2" in first.content.decode()


@pytest.mark.parametrize("rows", [5, 60])
def test_vendor_list_runs_a_constant_number_of_queries(admin_client_, account, rows, django_assert_max_num_queries):
    VendorFactory.create_batch(rows, account=account)

    with django_assert_max_num_queries(8):
        response = admin_client_.get(reverse("contacts:vendor_list"))

    assert response.status_code == 200


# --- a new vendor -----------------------------------------------------------------------------


def test_new_vendor_form_takes_the_kind_from_the_link(finance_client):
    response = finance_client.get(reverse("contacts:vendor_create"), {"kind": "replenishment"})

    assert response.status_code == 200
    assert response.context["form"]["kind"].value() == "replenishment"


def test_finance_creates_a_dropship_provider(finance_client, account):
    data = {**VENDOR_POST, "kind": "dropship", "name": "New Drop", "currency": "eur", "payment_terms_days": 14}

    response = finance_client.post(reverse("contacts:vendor_create"), data)

    vendor = Vendor.objects.get(account=account, name="New Drop")
    assert response.status_code == 302
    assert response["Location"] == settings_url(vendor)
    assert vendor.currency == "EUR"
    assert vendor.payment_terms_days == 14


def test_a_vendor_name_is_used_once_per_account(finance_client, provider):
    data = {**VENDOR_POST, "kind": "replenishment", "name": "drop co"}

    response = finance_client.post(reverse("contacts:vendor_create"), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "You already have a vendor called" in html
    assert 'value="drop co"' in html  # what was typed is kept


def test_a_new_vendor_form_says_what_is_wrong(finance_client):
    data = {**VENDOR_POST, "name": "", "email": "not-an-email", "payment_terms_days": "999"}

    response = finance_client.post(reverse("contacts:vendor_create"), data)

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"name", "email", "payment_terms_days"}
    assert 'value="not-an-email"' in response.content.decode()


def test_viewers_cannot_create_vendors(viewer_client):
    assert viewer_client.get(reverse("contacts:vendor_create")).status_code == 403


# --- replenishment supplier: the contact edit page --------------------------------------------


def test_contact_edit_page_of_a_replenishment_supplier(finance_client, supplier):
    response = finance_client.get(reverse("contacts:vendor_edit", args=[supplier.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Acme Wholesale"' in html
    assert "XERO CONTACT MAPPING" in html  # the spot the Xero contact mapping takes later
    assert ">Save</button>" in html


def test_finance_saves_the_contact_edit_page(finance_client, supplier):
    data = {
        "name": "Acme Wholesale Ltd",
        "email": "ap@acme.test",
        "currency": "usd",
        "payment_terms_days": 45,
        "default_tax_rate": "0",
        "tax_number": "US-1",
        "city": "Leeds",
    }

    response = finance_client.post(reverse("contacts:vendor_edit", args=[supplier.pk]), data)

    assert response.status_code == 302
    supplier.refresh_from_db()
    assert (supplier.name, supplier.currency, supplier.payment_terms_days, supplier.city) == (
        "Acme Wholesale Ltd",
        "USD",
        45,
        "Leeds",
    )


def test_a_refused_edit_keeps_the_saved_name_in_the_header(finance_client, supplier, provider):
    data = {"name": "Drop Co", "currency": "GBP", "payment_terms_days": 30, "default_tax_rate": "20"}

    response = finance_client.post(reverse("contacts:vendor_edit", args=[supplier.pk]), data)

    assert response.status_code == 400
    assert "<h1>Acme Wholesale</h1>" in response.content.decode()
    supplier.refresh_from_db()
    assert supplier.name == "Acme Wholesale"


def test_viewers_see_the_contact_edit_page_read_only(viewer_client, supplier):
    response = viewer_client.get(reverse("contacts:vendor_edit", args=[supplier.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert ">Save</button>" not in html
    assert "disabled" in html


def test_the_edit_url_of_a_dropship_provider_opens_its_settings(finance_client, provider):
    response = finance_client.get(reverse("contacts:vendor_edit", args=[provider.pk]))

    assert response.status_code == 302
    assert response["Location"] == settings_url(provider)


# --- dropship provider settings ---------------------------------------------------------------


@pytest.mark.parametrize(
    "tab, label, field",
    [("general", "General", "name"), ("payments", "Payments", "payment_terms_days"), ("tax", "Tax", "tax_number")],
)
def test_each_settings_tab_renders_its_fields(viewer_client, provider, tab, label, field):
    response = viewer_client.get(settings_url(provider, tab))

    assert response.status_code == 200
    assert response.context["tab_label"] == label
    assert field in response.context["form"].fields
    html = response.content.decode()
    assert "Dropship provider settings" in html
    for tab_label in ("General", "Payments", "Tax"):
        assert f">{tab_label}</a>" in html


def test_the_tax_tab_leaves_room_for_the_xero_contact(admin_client_, provider):
    assert "XERO CONTACT MAPPING" in admin_client_.get(settings_url(provider, "tax")).content.decode()
    assert "XERO CONTACT MAPPING" not in admin_client_.get(settings_url(provider, "general")).content.decode()


def test_a_tab_saves_only_its_own_fields(finance_client, provider):
    before = Vendor.objects.get(pk=provider.pk)

    response = finance_client.post(
        settings_url(provider, "tax"), {"tax_number": "GB999", "default_tax_rate": "5", "prices_include_tax": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == settings_url(provider, "tax")
    provider.refresh_from_db()
    assert provider.tax_number == "GB999"
    assert (provider.default_tax_rate, provider.prices_include_tax) == (Decimal(5), True)
    assert (provider.name, provider.email, provider.payment_terms_days) == (
        before.name,
        before.email,
        before.payment_terms_days,
    )


def test_the_payments_tab_explains_a_wrong_value(finance_client, provider):
    response = finance_client.post(settings_url(provider, "payments"), {"payment_terms_days": "400"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "less than or equal to 365" in html
    assert 'value="400"' in html


def test_a_replenishment_supplier_has_no_dropship_settings(admin_client_, supplier):
    assert admin_client_.get(settings_url(supplier)).status_code == 404


def test_an_unknown_settings_tab_is_not_found(admin_client_, provider):
    assert admin_client_.get(settings_url(provider, "nonsense")).status_code == 404


def test_viewers_see_settings_read_only(viewer_client, provider):
    html = viewer_client.get(settings_url(provider)).content.decode()

    assert "Save general settings" not in html
    assert "cannot change them" in html


# --- tenancy and roles ------------------------------------------------------------------------


@pytest.fixture
def foreign_vendors(other_account):
    return {
        "dropship": VendorFactory(account=other_account, kind=VendorKind.DROPSHIP),
        "replenishment": VendorFactory(account=other_account, kind=VendorKind.REPLENISHMENT),
    }


ID_URLS = [
    ("contacts:vendor_edit", "replenishment", ()),
    ("contacts:vendor_edit", "dropship", ()),
    ("contacts:vendor_settings", "dropship", ("general",)),
    ("contacts:vendor_settings", "dropship", ("payments",)),
    ("contacts:vendor_settings", "dropship", ("tax",)),
]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name, kind, extra", ID_URLS)
def test_another_accounts_vendor_is_not_found(admin_client_, foreign_vendors, method, name, kind, extra):
    vendor = foreign_vendors[kind]
    url = reverse(name, args=[vendor.pk, *extra])
    missing = reverse(name, args=[999_999, *extra])

    other = getattr(admin_client_, method)(url, {"name": "Hijack"})
    absent = getattr(admin_client_, method)(missing, {"name": "Hijack"})

    assert other.status_code == absent.status_code == 404
    vendor.refresh_from_db()
    assert vendor.name != "Hijack"


@pytest.mark.parametrize(
    "name, kind, extra",
    [("contacts:vendor_create", None, ()), *ID_URLS],
)
def test_viewers_cannot_post_anything(viewer_client, provider, supplier, name, kind, extra):
    vendor = {"dropship": provider, "replenishment": supplier, None: None}[kind]
    url = reverse(name, args=[vendor.pk, *extra]) if vendor else reverse(name)

    response = viewer_client.post(url, {"name": "Changed", "kind": "dropship"})

    assert response.status_code == 403
    assert not Vendor.objects.filter(name="Changed").exists()
