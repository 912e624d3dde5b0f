"""Vendors ↔ Xero contacts: the picker on the Tax tab and the contact edit page, Create in Xero (and its
unique-name clash), per-vendor coding, the vendors list column and filter, and the bulk auto-match."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounting.setup.models import AccountingSettings
from contacts.models import VendorKind
from integrations import contact_import
from integrations.models import VendorXeroLink, XeroContact
from integrations.services import xero_account_create
from integrations.xero.ratelimit import RateLimiter
from integrations.xero.sandbox import seed
from tests.factories import VendorFactory

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


UK_EMAIL = "accounts@{}.example.co.uk"


def uk_email(name: str) -> str:
    return UK_EMAIL.format("".join(c for c in name.lower() if c.isalnum())[:18])


def imported(xero_account):
    started, _ = contact_import.contact_import_start(xero_account=xero_account)
    contact_import.contact_import_run(import_id=started.pk)
    return xero_account


@pytest.fixture
def uk(connect_xero, account, admin_client_, xero_sandbox):
    """The UK organisation, chosen in Setup › Accounting, its contacts imported."""
    xero_account = connect_xero(account=account, user=admin_client_.user, tenant=xero_sandbox.uk_tenant_id)
    AccountingSettings.objects.create(account=account, xero_account=xero_account)
    return imported(xero_account)


@pytest.fixture
def provider(account):
    return VendorFactory(
        account=account,
        kind=VendorKind.DROPSHIP,
        name="Cobalt Freight Ltd",
        email=uk_email("Cobalt Freight"),
        tax_number="",
    )


@pytest.fixture
def supplier(account):
    return VendorFactory(
        account=account, kind=VendorKind.REPLENISHMENT, name="Harbour Ceramics", email="", tax_number=""
    )


def tax_tab(vendor):
    return reverse("contacts:vendor_settings", args=[vendor.pk, "tax"])


def contact(xero_account, name):
    return XeroContact.objects.get(xero_account=xero_account, name=name)


def sandbox_contacts(xero_sandbox) -> list[dict]:
    """The UK organisation's contacts as Xero holds them."""
    uk = xero_sandbox.uk_tenant_id
    return list(xero_sandbox.state(uk)["orgs"][uk]["contacts"].values())


def link(client, vendor, contact_id):
    return client.post(reverse("contacts:vendor_xero_link", args=[vendor.pk]), {"contact_id": contact_id})


# --- the picker -------------------------------------------------------------------------------------


def test_tax_tab_suggests_the_contact_with_the_same_email_first(admin_client_, uk, provider):
    html = admin_client_.get(tax_tab(provider)).content.decode()

    suggested = html.split('id="xero-suggestions"', 1)[1]
    assert suggested.index("Cobalt Freight") < suggested.index("</ul>")
    assert "same email" in suggested
    assert "Create in Xero" in html and "Not linked to a Xero contact yet" in html


def test_search_by_name_email_or_tax_number_ranks_the_vendors_own_details_first(admin_client_, uk, account):
    vendor = VendorFactory(account=account, name="Northwind", email=uk_email("Northwind Trading Co"), tax_number="")
    url = reverse("contacts:vendor_xero_search", args=[vendor.pk])

    by_name = admin_client_.get(url, {"xero_q": "northwind"}).content.decode()
    tax_number = contact(uk, "Delta Textiles").tax_number
    by_tax = admin_client_.get(url, {"xero_q": tax_number}).content.decode()
    by_email = admin_client_.get(url, {"xero_q": "juniperkitchen"}).content.decode()
    nothing = admin_client_.get(url, {"xero_q": "zzz-nobody"}).content.decode()

    assert by_name.index("Northwind Trading Co") < by_name.index("Northwind Traders")  # same email wins
    assert "Delta Textiles" in by_tax and "Juniper Kitchenware" in by_email
    assert "No imported Xero contact matches “zzz-nobody”." in nothing


def test_the_page_works_without_javascript_too(admin_client_, uk, provider):
    html = admin_client_.get(tax_tab(provider), {"xero_q": "harbour"}).content.decode()

    results = html.split('id="xero-contact-results"', 1)[1]
    assert "Harbour Ceramics" in results and 'name="contact_id"' in results


def test_finance_links_a_dropship_provider_on_its_tax_tab(finance_client, uk, provider):
    cobalt = contact(uk, "Cobalt Freight")

    response = link(finance_client, provider, cobalt.contact_id)

    assert response.status_code == 302 and response["Location"].startswith(tax_tab(provider))
    saved = VendorXeroLink.objects.get(vendor=provider, xero_account=uk)
    assert (saved.contact_id, saved.contact_name, saved.account_id, saved.linked_by) == (
        cobalt.contact_id,
        "Cobalt Freight",
        provider.account_id,
        finance_client.user,
    )
    html = finance_client.get(tax_tab(provider)).content.decode()
    assert '<strong id="xero-linked-name">Cobalt Freight</strong>' in html and "Unlink" in html


def test_an_archived_contact_cannot_be_linked_and_a_linked_one_that_gets_archived_warns(
    admin_client_, uk, provider, xero_sandbox
):
    refused = link(admin_client_, provider, contact(uk, "Old Mill Supplies").contact_id)
    assert not VendorXeroLink.objects.filter(vendor=provider).exists()
    assert "archived in Xero" in admin_client_.get(refused["Location"]).content.decode()

    link(admin_client_, provider, contact(uk, "Cobalt Freight").contact_id)
    xero_sandbox.set_contact_status(xero_sandbox.uk_tenant_id, contact(uk, "Cobalt Freight").contact_id, "ARCHIVED")
    imported(uk)  # the next refresh (incremental) brings the change

    html = admin_client_.get(tax_tab(provider)).content.decode()
    assert (
        "“Cobalt Freight” is archived in Xero — bills to it will be refused; pick another contact or "
        "un-archive it in Xero."
    ) in html


def test_unlink(admin_client_, uk, provider):
    link(admin_client_, provider, contact(uk, "Cobalt Freight").contact_id)

    admin_client_.post(reverse("contacts:vendor_xero_unlink", args=[provider.pk]))

    assert not VendorXeroLink.objects.exists()


def test_without_a_xero_account_the_page_says_where_to_choose_one(admin_client_, finance_client, provider):
    admin_html = admin_client_.get(tax_tab(provider)).content.decode()
    finance_html = finance_client.get(tax_tab(provider)).content.decode()

    assert "No Xero account is chosen for accounting yet" in admin_html
    assert reverse("accounting:setup_accounting") in admin_html
    assert "An admin chooses it in Setup › Accounting." in finance_html
    response = link(admin_client_, provider, "anything")
    assert "No Xero account is chosen for accounting yet" in admin_client_.get(response["Location"]).content.decode()


# --- Create in Xero -----------------------------------------------------------------------------------


def test_create_in_xero_for_a_replenishment_supplier(admin_client_, uk, account, xero_sandbox):
    vendor = VendorFactory(
        account=account,
        kind=VendorKind.REPLENISHMENT,
        name="Brand New Ceramics",
        email="ap@brandnew.test",
        tax_number="GB555",
        currency="EUR",
    )

    response = admin_client_.post(reverse("contacts:vendor_xero_create", args=[vendor.pk]))

    assert response["Location"].startswith(reverse("contacts:vendor_edit", args=[vendor.pk]))
    saved = VendorXeroLink.objects.get(vendor=vendor, xero_account=uk)
    created = next(c for c in sandbox_contacts(xero_sandbox) if c["Name"] == "Brand New Ceramics")
    assert (created["EmailAddress"], created["TaxNumber"], created["DefaultCurrency"], created["ContactNumber"]) == (
        "ap@brandnew.test",
        "GB555",
        "EUR",
        f"ONPORT-{vendor.pk}",
    )
    assert saved.contact_id == created["ContactID"]
    assert XeroContact.objects.filter(xero_account=uk, contact_id=created["ContactID"]).exists()


def test_a_name_xero_already_has_offers_link_or_another_name(admin_client_, uk, supplier, xero_sandbox):
    url = reverse("contacts:vendor_xero_create", args=[supplier.pk])

    clash = admin_client_.post(url)

    assert clash.status_code == 409
    html = clash.content.decode()
    assert "Xero already has a contact called “Harbour Ceramics”" in html
    assert f'value="{contact(uk, "Harbour Ceramics").contact_id}"' in html  # link the existing one
    assert "Create with a different name" in html
    assert not VendorXeroLink.objects.exists()

    admin_client_.post(url, {"name": "Harbour Ceramics (Onport)"})

    saved = VendorXeroLink.objects.get(vendor=supplier)
    assert saved.contact_name == "Harbour Ceramics (Onport)"
    names = [c["Name"] for c in sandbox_contacts(xero_sandbox)]
    assert names.count("Harbour Ceramics") == 1 and "Harbour Ceramics (Onport)" in names


def test_link_the_existing_namesake_after_a_clash(admin_client_, uk, supplier):
    admin_client_.post(reverse("contacts:vendor_xero_create", args=[supplier.pk]))

    link(admin_client_, supplier, contact(uk, "Harbour Ceramics").contact_id)

    assert VendorXeroLink.objects.get(vendor=supplier).contact_name == "Harbour Ceramics"


def test_creating_again_relinks_the_contact_onport_made_before(admin_client_, uk, account):
    vendor = VendorFactory(account=account, name="Once Created Ltd", email="", tax_number="")
    admin_client_.post(reverse("contacts:vendor_xero_create", args=[vendor.pk]))
    first = VendorXeroLink.objects.get(vendor=vendor).contact_id
    admin_client_.post(reverse("contacts:vendor_xero_unlink", args=[vendor.pk]))

    admin_client_.post(reverse("contacts:vendor_xero_create", args=[vendor.pk]), {"name": "Once Created Again"})

    assert VendorXeroLink.objects.get(vendor=vendor).contact_id == first


# --- per Xero account ----------------------------------------------------------------------------------


def test_each_xero_account_keeps_its_own_contact_for_the_vendor(
    admin_client_, uk, provider, connect_xero, account, xero_sandbox
):
    link(admin_client_, provider, contact(uk, "Cobalt Freight").contact_id)
    au = imported(
        connect_xero(account=account, user=admin_client_.user, name="Australia", tenant=xero_sandbox.au_tenant_id)
    )
    AccountingSettings.objects.filter(account=account).update(xero_account=au)

    link(admin_client_, provider, contact(au, "Atlas Couriers").contact_id)

    links = dict(VendorXeroLink.objects.filter(vendor=provider).values_list("xero_account__name", "contact_name"))
    assert links == {"Main entity": "Cobalt Freight", "Australia": "Atlas Couriers"}
    assert contact(uk, "Cobalt Freight").contact_id != contact(au, "Cobalt Freight").contact_id
    assert (
        '<strong id="xero-linked-name">Atlas Couriers</strong>' in admin_client_.get(tax_tab(provider)).content.decode()
    )
    # a UK contact id is not a contact of the AU organisation
    assert link(admin_client_, provider, contact(uk, "Delta Textiles").contact_id).status_code == 404


# --- coding overrides ---------------------------------------------------------------------------------


def test_vendor_coding_overrides_are_checked_against_xero(admin_client_, uk, provider):
    link(admin_client_, provider, contact(uk, "Cobalt Freight").contact_id)
    url = reverse("contacts:vendor_xero_overrides", args=[provider.pk])
    html = admin_client_.get(tax_tab(provider)).content.decode()
    assert '<option value="300">300 – Purchases</option>' in html and '<option value="090"' not in html

    bank = admin_client_.post(url, {"account_code_override": "090", "tax_type_override": ""}, follow=True)
    sales_tax = admin_client_.post(url, {"account_code_override": "300", "tax_type_override": "OUTPUT2"}, follow=True)
    assert "is a bank account" in bank.content.decode()
    assert "is for sales only" in sales_tax.content.decode()
    assert VendorXeroLink.objects.get(vendor=provider).account_code_override == ""

    admin_client_.post(url, {"account_code_override": "310", "tax_type_override": "RRINPUT"})
    saved = VendorXeroLink.objects.get(vendor=provider)
    assert (saved.account_code_override, saved.tax_type_override) == ("310", "RRINPUT")


# --- roles and tenancy --------------------------------------------------------------------------------

VENDOR_URLS = [
    "vendor_xero_search",
    "vendor_xero_link",
    "vendor_xero_unlink",
    "vendor_xero_create",
    "vendor_xero_overrides",
]


def _request(client, name, args=()):
    url = reverse(f"contacts:{name}", args=args)
    return client.get(url, {"xero_q": "a"}) if name == "vendor_xero_search" else client.post(url, {"contact_id": "x"})


@pytest.mark.parametrize("name", VENDOR_URLS)
def test_a_viewer_cannot_map(viewer_client, provider, name):
    assert _request(viewer_client, name, [provider.pk]).status_code == 403


def test_a_viewer_sees_the_mapping_read_only(viewer_client, admin_client_, uk, provider):
    link(admin_client_, provider, contact(uk, "Cobalt Freight").contact_id)

    html = viewer_client.get(tax_tab(provider)).content.decode()

    assert "Cobalt Freight" in html and "Unlink" not in html and "Create in Xero" not in html
    assert viewer_client.get(reverse("contacts:vendor_xero_auto_match")).status_code == 403


@pytest.mark.parametrize("name", VENDOR_URLS)
def test_another_accounts_vendor_answers_404(admin_client_, uk, other_account, name):
    foreign = VendorFactory(account=other_account)

    assert _request(admin_client_, name, [foreign.pk]).status_code == 404
    assert _request(admin_client_, name, [999_999]).status_code == 404


def test_another_accounts_contact_answers_404(admin_client_, uk, provider, other_account, connect_xero, xero_sandbox):
    theirs = xero_account_create(account=other_account, name="Theirs")
    XeroContact.objects.create(
        account=other_account, xero_account=theirs, contact_id="their-contact", name="Theirs Ltd"
    )

    assert link(admin_client_, provider, "their-contact").status_code == 404


# --- the vendors list -----------------------------------------------------------------------------------


def test_vendor_list_shows_and_filters_by_mapping(admin_client_, uk, account, provider, supplier, xero_sandbox):
    archived_vendor = VendorFactory(account=account, name="Gone Ltd")
    link(admin_client_, provider, contact(uk, "Cobalt Freight").contact_id)
    link(admin_client_, archived_vendor, contact(uk, "Delta Textiles").contact_id)
    xero_sandbox.set_contact_status(xero_sandbox.uk_tenant_id, contact(uk, "Delta Textiles").contact_id, "ARCHIVED")
    imported(uk)
    url = reverse("contacts:vendor_list")

    states = {v.name: v.xero_state for v in admin_client_.get(url).context["page"]}
    mapped = [v.name for v in admin_client_.get(url, {"xero": "mapped"}).context["page"]]
    unmapped = [v.name for v in admin_client_.get(url, {"xero": "unmapped"}).context["page"]]
    archived = [v.name for v in admin_client_.get(url, {"xero": "archived"}).context["page"]]

    assert states == {"Cobalt Freight Ltd": "mapped", "Harbour Ceramics": "unmapped", "Gone Ltd": "archived"}
    assert (mapped, unmapped, archived) == (["Cobalt Freight Ltd"], ["Harbour Ceramics"], ["Gone Ltd"])
    html = admin_client_.get(url).content.decode()
    assert "archived in Xero" in html and "Auto-match by email and tax number" in html


@pytest.mark.parametrize("count", [5, 60])
def test_vendor_list_queries_do_not_grow_with_vendors(admin_client_, uk, account, count, django_assert_max_num_queries):
    vendors = VendorFactory.create_batch(count, account=account)
    cobalt = contact(uk, "Cobalt Freight")
    for vendor in vendors[::2]:
        VendorXeroLink.objects.create(
            account=account, vendor=vendor, xero_account=uk, contact_id=cobalt.contact_id, contact_name=cobalt.name
        )

    with django_assert_max_num_queries(7):
        response = admin_client_.get(reverse("contacts:vendor_list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="xero-state"') == min(count, 50) and 'data-state="mapped"' in html


# --- auto-match -----------------------------------------------------------------------------------------


def test_auto_match_proposes_unambiguous_matches_only_and_links_the_ticked_ones(admin_client_, uk, account):
    by_email = VendorFactory(account=account, name="A", email=uk_email("Evergreen Paper Co").upper(), tax_number="")
    by_tax = VendorFactory(
        account=account, name="B", email="", tax_number=contact(uk, "Fjord Outdoor Supply").tax_number
    )
    ambiguous = VendorFactory(
        account=account,
        name="C",
        email=uk_email("Granite Home Goods"),
        tax_number=contact(uk, "Harbour Ceramics").tax_number,
    )
    archived_only = VendorFactory(account=account, name="D", email=uk_email("Old Mill Supplies"), tax_number="")
    unticked = VendorFactory(account=account, name="E", email=uk_email("Iris Cosmetics"), tax_number="")
    url = reverse("contacts:vendor_xero_auto_match")

    proposals = {p.vendor.name: (p.contact_name, p.matched_by) for p in admin_client_.get(url).context["proposals"]}

    assert proposals == {
        "A": ("Evergreen Paper Co", "email"),
        "B": ("Fjord Outdoor Supply", "tax number"),
        "E": ("Iris Cosmetics", "email"),
    }
    chosen = [
        f"{by_email.pk}:{contact(uk, 'Evergreen Paper Co').contact_id}",
        f"{by_tax.pk}:{contact(uk, 'Fjord Outdoor Supply').contact_id}",
        f"{ambiguous.pk}:{contact(uk, 'Granite Home Goods').contact_id}",
    ]  # not proposed: ignored
    response = admin_client_.post(url, {"match": chosen})

    assert response.status_code == 302
    assert dict(VendorXeroLink.objects.values_list("vendor__name", "contact_name")) == {
        "A": "Evergreen Paper Co",
        "B": "Fjord Outdoor Supply",
    }
    assert not VendorXeroLink.objects.filter(vendor__in=[ambiguous, archived_only, unticked]).exists()
    assert [p.vendor.name for p in admin_client_.get(url).context["proposals"]] == ["E"]


def test_a_contact_linked_to_another_vendor_is_marked_and_needs_confirmation(finance_client, uk, provider, account):
    # given Cobalt Freight's contact is already linked to the provider
    cobalt = contact(uk, "Cobalt Freight")
    assert link(finance_client, provider, cobalt.contact_id).status_code == 302
    twin = VendorFactory(
        account=account,
        kind=VendorKind.DROPSHIP,
        name="Cobalt Freight Europe",
        email=uk_email("Cobalt Freight"),
        tax_number="",
    )

    # then search and suggestions say which vendor uses it
    results = finance_client.get(
        reverse("contacts:vendor_xero_search", args=[twin.pk]), {"xero_q": "cobalt"}
    ).content.decode()
    assert "already linked to Cobalt Freight Ltd" in results
    assert "already linked to Cobalt Freight Ltd" in finance_client.get(tax_tab(twin)).content.decode()

    # when finance links it to the twin, Onport asks first and links nothing
    asked = link(finance_client, twin, cobalt.contact_id)
    assert (
        asked.status_code == 409 and "already the Xero contact of vendor “Cobalt Freight Ltd”" in asked.content.decode()
    )
    assert not VendorXeroLink.objects.filter(vendor=twin).exists()

    # and links it only once confirmed
    confirmed = finance_client.post(
        reverse("contacts:vendor_xero_link", args=[twin.pk]), {"contact_id": cobalt.contact_id, "shared": "confirmed"}
    )
    assert confirmed.status_code == 302
    assert VendorXeroLink.objects.get(vendor=twin).contact_id == cobalt.contact_id


def test_a_vendor_account_code_archived_in_xero_since_is_flagged_on_its_tax_tab(
    finance_client, uk, provider, xero_sandbox
):
    assert link(finance_client, provider, contact(uk, "Cobalt Freight").contact_id).status_code == 302
    VendorXeroLink.objects.filter(vendor=provider).update(account_code_override="429")
    xero_sandbox.set_account_status(uk.tenant_id, "429", "ARCHIVED")
    cache.clear()  # the lists refresh (they are cached for a few minutes)

    html = finance_client.get(tax_tab(provider)).content.decode()

    assert "Saved for this vendor but refused by Xero now" in html and "429" in html


def test_nul_bytes_in_a_contact_search_or_link_are_not_a_500(finance_client, uk, provider):
    search = finance_client.get(reverse("contacts:vendor_xero_search", args=[provider.pk]), {"xero_q": "cob\x00alt"})
    linked = link(finance_client, provider, "a\x00b")

    assert search.status_code == 200 and linked.status_code == 404


def test_a_name_too_long_for_xero_is_refused_in_words_and_nothing_is_created(admin_client_, uk, supplier, xero_sandbox):
    before = len(sandbox_contacts(xero_sandbox))

    response = admin_client_.post(
        reverse("contacts:vendor_xero_create", args=[supplier.pk]), {"name": "N" * 300}, follow=True
    )

    assert "A Xero contact name can have at most 255 characters." in response.content.decode()
    assert len(sandbox_contacts(xero_sandbox)) == before and not VendorXeroLink.objects.filter(vendor=supplier).exists()
