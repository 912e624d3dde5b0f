"""The organisation's tracking categories read through xero-python from the sandbox, archived ones included
(so a saved choice that Xero has archived since can be flagged before a bill is refused for it)."""

import pytest

from integrations.services import xero_client
from integrations.xero.tracking import tracking_categories

pytestmark = pytest.mark.django_db


def test_tracking_categories_are_read_with_every_option_and_their_status(books):
    categories = {category.name: category for category in tracking_categories(xero_client(books.xero_account))}

    assert {name: category.status for name, category in categories.items()} == {
        "Sales channel": "ACTIVE",
        "Region": "ACTIVE",
        "Old brand": "ARCHIVED",
    }
    region = categories["Region"]
    assert [(option.name, option.is_active) for option in region.options] == [
        ("North", True),
        ("South", True),
        ("West", False),
    ]
    west = next(option for option in region.options if option.name == "West")
    assert region.option(west.option_id.upper()) == west  # Xero's ids read the same in either case


def test_an_option_archived_in_xero_reads_as_archived(books):
    books.sandbox.set_tracking_status(books.xero_account.tenant_id, "Sales channel", option="Wholesale")

    [channel] = [c for c in tracking_categories(xero_client(books.xero_account)) if c.name == "Sales channel"]

    assert {option.name: option.status for option in channel.options}["Wholesale"] == "ARCHIVED"
