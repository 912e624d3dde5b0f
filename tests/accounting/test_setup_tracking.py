"""Setup > Accounting › Tracking, the page: admins map Xero's tracking categories; what Xero archived is flagged."""

import pytest
from django.urls import reverse

from accounting.setup.models import TrackingRule
from accounting.setup.tracking import TrackingRuleInput, tracking_rule_save
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from tests.factories import invoice_create, order_create

pytestmark = pytest.mark.django_db

PAGE = reverse("accounting:setup_tracking")


def option_id(books, category: str, option: str) -> str:
    return books.sandbox.seeded_tracking_id(books.xero_account.tenant_id, category, option)


def test_the_page_offers_the_active_categories_and_options_live_from_xero(books, admin_client_):
    response = admin_client_.get(PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Sales channel" in page and "Region" in page
    offered = [
        label for _, group in response.context["form"].fields["option_id"].widget.choices[1:] for _, label in group
    ]
    assert offered == ["North", "South", "Marketplace", "Online", "Wholesale"]  # no archived West, no "Old brand"


def test_an_admin_saves_a_rule_and_sees_it(books, admin_client_, linked_vendor):
    response = admin_client_.post(
        PAGE, {"option_id": option_id(books, "Region", "South"), "applies_to": f"vendor:{linked_vendor.pk}"}
    )

    assert response.status_code == 302
    saved = TrackingRule.objects.get()
    assert (saved.category_name, saved.option_name, saved.vendor) == ("Region", "South", linked_vendor)
    page = admin_client_.get(PAGE).content.decode()
    assert "Vendor &#x27;Acme Packaging&#x27;" in page and "South" in page


def test_a_sales_channel_rule_without_its_channel_says_what_is_missing(books, admin_client_):
    response = admin_client_.post(
        PAGE, {"option_id": option_id(books, "Sales channel", "Online"), "applies_to": "sales_channel", "match": ""}
    )

    assert response.status_code == 400
    assert "Enter the sales channel this rule matches" in response.content.decode()
    assert not TrackingRule.objects.exists()


def test_an_option_archived_in_xero_is_flagged_on_its_rule(books, admin_client_):
    admin_client_.post(PAGE, {"option_id": option_id(books, "Sales channel", "Wholesale"), "applies_to": "default"})
    books.sandbox.set_tracking_status(books.xero_account.tenant_id, "Sales channel", "Wholesale")

    page = admin_client_.get(PAGE).content.decode()

    assert (
        "The option “Wholesale” is archived in Xero: bills this rule applies to wait until you choose another." in page
    )


def test_a_held_bill_links_admins_to_the_tracking_page(books, admin_client_, linked_vendor):
    admin_client_.post(PAGE, {"option_id": option_id(books, "Sales channel", "Wholesale"), "applies_to": "default"})
    books.sandbox.set_tracking_status(books.xero_account.tenant_id, "Sales channel", "Wholesale")
    admin_client_.get(PAGE)  # reads the list again
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    sync_request(invoice=invoice)
    drain(xero_account_id=books.xero_account.pk)

    page = admin_client_.get(invoice.get_absolute_url()).content.decode()

    assert f'href="{PAGE}">Open Setup › Accounting › Tracking</a>' in page


def test_the_preview_names_each_option_and_the_rule_that_chose_it(books, finance_client, linked_vendor, admin_client_):
    admin_client_.post(PAGE, {"option_id": option_id(books, "Region", "North"), "applies_to": "vendor_kind:dropship"})

    page = finance_client.get(
        reverse("sync:bill_preview", args=[invoice_create(order=order_create(vendor=linked_vendor)).pk])
    ).content.decode()

    assert "Region: North (dropship providers)" in page


def test_only_admins_open_the_page(books, finance_client):
    assert finance_client.get(PAGE).status_code == 403
    assert finance_client.post(PAGE, {}).status_code == 403


def test_deleting_another_accounts_rule_answers_404(books, admin_client_, other_account):
    own = tracking_rule_save(
        settings=books.settings,
        data=TrackingRuleInput(option_id=option_id(books, "Region", "North"), applies_to="default"),
    )
    foreign = TrackingRule.objects.create(
        account=other_account,
        xero_account=books.xero_account,
        category_id=own.category_id,
        category_name="Region",
        option_id=own.option_id,
        option_name="North",
        kind="vendor_kind",
        value="dropship",
    )

    response = admin_client_.post(reverse("accounting:setup_tracking_rule_delete", args=[foreign.pk]))
    assert response.status_code == 404
    assert TrackingRule.objects.filter(pk=foreign.pk).exists()
    assert admin_client_.post(reverse("accounting:setup_tracking_rule_delete", args=[own.pk])).status_code == 302
    assert not TrackingRule.objects.filter(pk=own.pk).exists()


def test_without_a_xero_account_the_page_says_where_to_choose_it(admin_client_):
    page = admin_client_.get(PAGE).content.decode()

    assert "Choose the Xero account in" in page
