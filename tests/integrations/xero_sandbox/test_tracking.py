"""Tracking categories: the seeded ones, listing them, and Tracking on bill and credit-note lines, checked as Xero does."""

from __future__ import annotations

import datetime as dt

import pytest
from xero_python.accounting import Contact, CreditNote, CreditNotes, Invoice, Invoices, LineItemTracking
from xero_python.exceptions import AccountingBadRequestException, NotFoundException

from integrations.xero.sandbox import seed, tracking
from tests.fixtures.xero_sandbox import SandboxHTTPError

from .builders import bill, bills, line, messages


def named(category: str, option: str | None = None) -> LineItemTracking:
    return LineItemTracking(name=category, option=option)


def by_ids(xero_sandbox, tenant: str, category: str, option: str) -> LineItemTracking:
    return LineItemTracking(
        tracking_category_id=xero_sandbox.seeded_tracking_id(tenant, category),
        tracking_option_id=xero_sandbox.seeded_tracking_id(tenant, category, option),
    )


def tracked_bill(contact_id: str, *entries: LineItemTracking, **options) -> Invoice:
    return bill(contact_id, lines=[line("Stock", tracking=list(entries))], **options)


def create(xero, tenant: str, invoice: Invoice) -> Invoice:
    return xero.accounting.create_invoices(tenant, bills(invoice), summarize_errors=False).invoices[0]


def refused(xero, tenant: str, invoice: Invoice) -> list[str]:
    result = create(xero, tenant, invoice)
    assert result.has_errors and result.invoice_id is None
    return messages(result)


def entries(line_item) -> list[tuple[str, str, str, str]]:
    return [
        (t.name, t.option, str(t.tracking_category_id), str(t.tracking_option_id)) for t in line_item.tracking or []
    ]


def normalised(xero_sandbox, tenant: str, *pairs: tuple[str, str]) -> list[tuple[str, str, str, str]]:
    return [
        (
            category,
            option,
            xero_sandbox.seeded_tracking_id(tenant, category),
            xero_sandbox.seeded_tracking_id(tenant, category, option),
        )
        for category, option in pairs
    ]


def categories(xero, tenant: str, **query) -> dict[str, list[tuple[str, str]]]:
    listed = xero.accounting.get_tracking_categories(tenant, **query).tracking_categories
    return {f"{c.name} ({c.status})": [(o.name, o.status) for o in c.options] for c in listed}


# -- the seed and GET /TrackingCategories ---------------------------------------------------------


def test_every_organisation_lists_its_active_categories_with_their_active_options(xero, xero_sandbox, uk):
    for tenant in (uk, xero_sandbox.au_tenant_id):
        assert categories(xero, tenant) == {
            "Region (ACTIVE)": [("North", "ACTIVE"), ("South", "ACTIVE")],
            "Sales channel (ACTIVE)": [("Online", "ACTIVE"), ("Marketplace", "ACTIVE"), ("Wholesale", "ACTIVE")],
        }
    region = xero.accounting.get_tracking_categories(uk, where='Name=="Region"').tracking_categories
    assert [str(c.tracking_category_id) for c in region] == [xero_sandbox.seeded_tracking_id(uk, "Region")]
    assert [str(o.tracking_option_id) for o in region[0].options][0] == xero_sandbox.seeded_tracking_id(
        uk, "Region", "North"
    )


def test_include_archived_adds_archived_categories_and_options(xero, uk):
    assert categories(xero, uk, include_archived=True) == {
        "Old brand (ARCHIVED)": [("Classic", "ACTIVE"), ("Heritage", "ACTIVE")],
        "Region (ACTIVE)": [("North", "ACTIVE"), ("South", "ACTIVE"), ("West", "ARCHIVED")],
        "Sales channel (ACTIVE)": [("Online", "ACTIVE"), ("Marketplace", "ACTIVE"), ("Wholesale", "ACTIVE")],
    }


def test_categories_filter_and_order_like_other_lists(xero, uk):
    descending = xero.accounting.get_tracking_categories(uk, order="Name DESC").tracking_categories
    archived = xero.accounting.get_tracking_categories(uk, where='Status=="ARCHIVED"', include_archived=True)

    assert [c.name for c in descending] == ["Sales channel", "Region"]
    assert [c.name for c in archived.tracking_categories] == ["Old brand"]


def test_one_category_by_id_whatever_its_status(xero, xero_sandbox, uk):
    old_brand = xero_sandbox.seeded_tracking_id(uk, "Old brand")

    found = xero.accounting.get_tracking_category(uk, old_brand).tracking_categories

    assert [(c.name, c.status) for c in found] == [("Old brand", "ARCHIVED")]
    with pytest.raises(NotFoundException):
        xero.accounting.get_tracking_category(uk, seed.stable_id("no such category"))


def test_the_seed_keeps_xeros_limits():
    for organisation in seed.build_organisations().values():
        statuses = [c["Status"] for c in organisation["tracking_categories"].values()]
        assert statuses.count("ACTIVE") == seed.MAX_ACTIVE_TRACKING_CATEGORIES
        assert len(statuses) <= seed.MAX_TRACKING_CATEGORIES
    three_active = [{"Status": "ACTIVE"}] * 3
    with pytest.raises(ValueError, match="at most 2 active"):
        seed.check_tracking_limits(three_active)


# -- Tracking on lines -----------------------------------------------------------------------------


def test_bill_tracked_by_names_is_stored_and_answered_with_ids_and_names(xero, xero_sandbox, uk, acme):
    created = create(xero, uk, tracked_bill(acme, named("region", "north"), named("Sales channel", "Online")))

    fetched = xero.accounting.get_invoice(uk, created.invoice_id).invoices[0]
    stored = xero_sandbox.state(uk)["orgs"][uk]["invoices"][str(created.invoice_id)]["LineItems"][0]["Tracking"]

    expected = normalised(xero_sandbox, uk, ("Region", "North"), ("Sales channel", "Online"))
    assert not created.has_errors
    assert entries(created.line_items[0]) == entries(fetched.line_items[0]) == expected
    assert [
        tuple(entry[key] for key in ("Name", "Option", "TrackingCategoryID", "TrackingOptionID")) for entry in stored
    ] == expected


def test_bill_tracked_by_ids_gets_the_names(xero, xero_sandbox, uk, acme):
    created = create(xero, uk, tracked_bill(acme, by_ids(xero_sandbox, uk, "Sales channel", "Wholesale")))

    assert entries(created.line_items[0]) == normalised(xero_sandbox, uk, ("Sales channel", "Wholesale"))


def test_sales_invoice_lines_are_tracked_too(xero, xero_sandbox, uk, acme):
    sale = Invoice(
        type="ACCREC",
        contact=Contact(contact_id=acme),
        date=dt.date(2025, 3, 1),
        due_date=dt.date(2025, 3, 31),
        status="AUTHORISED",
        line_items=[line("Consulting", account_code="200", tracking=[named("Region", "South")])],
    )

    created = create(xero, uk, sale)

    assert not created.has_errors and created.type == "ACCREC"
    assert entries(created.line_items[0]) == normalised(xero_sandbox, uk, ("Region", "South"))


REFUSALS = {
    "unknown category": (
        lambda sandbox, uk: [named("Department", "Sales")],
        [tracking.TRACKING_CATEGORY_UNKNOWN.format(category="Department")],
    ),
    "unknown category id": (
        lambda sandbox, uk: [
            LineItemTracking(tracking_category_id=seed.stable_id("nowhere"), tracking_option_id=seed.stable_id("x"))
        ],
        [tracking.TRACKING_CATEGORY_UNKNOWN.format(category=seed.stable_id("nowhere"))],
    ),
    "archived category": (
        lambda sandbox, uk: [named("Old brand", "Classic")],
        ["The TrackingCategory 'Old brand' is archived. Archived tracking categories cannot be used on a document."],
    ),
    "unknown option": (
        lambda sandbox, uk: [named("Region", "East")],
        ["The TrackingCategory 'Region' does not have an option 'East'."],
    ),
    "archived option": (
        lambda sandbox, uk: [named("Region", "West")],
        ["The TrackingCategory 'Region' does not have an active option 'West'."],
    ),
    "archived option by id": (
        lambda sandbox, uk: [by_ids(sandbox, uk, "Region", "West")],
        ["The TrackingCategory 'Region' does not have an active option 'West'."],
    ),
    "no option": (
        lambda sandbox, uk: [named("Region")],
        [tracking.TRACKING_OPTION_REQUIRED.format(category="Region")],
    ),
    "two entries for one category": (
        lambda sandbox, uk: [named("Region", "North"), by_ids(sandbox, uk, "Region", "South")],
        ["The TrackingCategory 'Region' is used more than once on 'Stock'."],
    ),
    "three entries": (
        lambda sandbox, uk: [named("Region", "North"), named("Sales channel", "Online"), named("Old brand", "Classic")],
        [
            "A line item can have at most 2 tracking categories; 'Stock' has 3.",
            tracking.TRACKING_CATEGORY_ARCHIVED.format(category="Old brand"),
        ],
    ),
    "id and name disagree": (
        lambda sandbox, uk: [
            LineItemTracking(
                tracking_category_id=sandbox.seeded_tracking_id(uk, "Region"), name="Sales channel", option="North"
            )
        ],
        [
            tracking.TRACKING_CATEGORY_NAME_MISMATCH.format(
                category_id=seed.stable_id("uk", "tracking-category", "Region"), category="Region", name="Sales channel"
            )
        ],
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_tracking_xero_would_refuse(xero, xero_sandbox, uk, acme, case):
    make_entries, expected = REFUSALS[case]

    assert refused(xero, uk, tracked_bill(acme, *make_entries(xero_sandbox, uk))) == expected
    assert xero_sandbox.state(uk)["orgs"][uk]["invoices"] == {}


def test_summarized_refusal_is_a_validation_exception_per_document(xero, uk, acme):
    with pytest.raises(AccountingBadRequestException) as refusal:
        xero.accounting.create_invoices(uk, bills(tracked_bill(acme, named("Region", "West"), number="PI-WEST")))

    body = refusal.value.error_data
    assert (refusal.value.status, body["ErrorNumber"], body["Type"]) == (400, 10, "ValidationException")
    assert [element["InvoiceNumber"] for element in body["Elements"]] == ["PI-WEST"]
    assert [error["Message"] for error in body["Elements"][0]["ValidationErrors"]] == [
        tracking.TRACKING_OPTION_ARCHIVED.format(category="Region", option="West")
    ]


def credit_note(contact_id: str, *entries: LineItemTracking) -> CreditNotes:
    note = CreditNote(
        type="ACCPAYCREDIT",
        contact=Contact(contact_id=contact_id),
        status="AUTHORISED",
        date=dt.date(2025, 3, 5),
        line_items=[line("Returned goods", 1, "5.00", tracking=list(entries))],
    )
    return CreditNotes(credit_notes=[note])


def test_credit_note_lines_are_tracked_and_checked(xero, xero_sandbox, uk, acme):
    api = xero.accounting

    note = api.create_credit_notes(
        uk, credit_note(acme, by_ids(xero_sandbox, uk, "Region", "North")), summarize_errors=False
    )
    bad = api.create_credit_notes(uk, credit_note(acme, named("Old brand", "Heritage")), summarize_errors=False)

    created = note.credit_notes[0]
    assert not created.has_errors
    assert entries(created.line_items[0]) == normalised(xero_sandbox, uk, ("Region", "North"))
    fetched = api.get_credit_note(uk, created.credit_note_id).credit_notes[0]
    assert entries(fetched.line_items[0]) == normalised(xero_sandbox, uk, ("Region", "North"))
    assert messages(bad.credit_notes[0]) == [tracking.TRACKING_CATEGORY_ARCHIVED.format(category="Old brand")]


def test_bills_without_tracking_store_none(xero, xero_sandbox, uk, acme):
    created = create(xero, uk, bill(acme))

    stored = xero_sandbox.state(uk)["orgs"][uk]["invoices"][str(created.invoice_id)]["LineItems"][0]
    assert not created.has_errors and stored["Tracking"] == [] and not created.line_items[0].tracking


# -- archiving, as a Xero user would -------------------------------------------------------------------


def test_an_option_archived_later_is_refused_on_new_lines_but_kept_on_stored_ones(xero, xero_sandbox, uk, acme):
    # given a bill tracked to North, then North archived in "Xero"
    kept = create(xero, uk, tracked_bill(acme, named("Region", "North"), number="PI-KEPT"))
    archived = xero_sandbox.set_tracking_status(uk, "Region", "North")

    # when a new bill uses North, and the stored bill is edited without its lines
    new = refused(xero, uk, tracked_bill(acme, named("Region", "North"), number="PI-NEW"))
    later = Invoice(due_date=dt.date(2025, 4, 30))
    edited = xero.accounting.update_invoice(uk, kept.invoice_id, Invoices(invoices=[later])).invoices[0]

    # then
    assert archived["Status"] == "ARCHIVED"
    assert new == ["The TrackingCategory 'Region' does not have an active option 'North'."]
    assert edited.due_date == dt.date(2025, 4, 30)
    assert entries(edited.line_items[0]) == normalised(xero_sandbox, uk, ("Region", "North"))
    assert categories(xero, uk)["Region (ACTIVE)"] == [("South", "ACTIVE")]
    xero_sandbox.set_tracking_status(uk, "Region", "North", status="ACTIVE")
    assert not create(xero, uk, tracked_bill(acme, named("Region", "North"), number="PI-AGAIN")).has_errors


def test_a_category_archived_later_is_refused(xero, xero_sandbox, uk, acme):
    sales_channel = xero_sandbox.seeded_tracking_id(uk, "Sales channel")
    xero_sandbox.set_tracking_status(uk, sales_channel)

    assert refused(xero, uk, tracked_bill(acme, named("Sales channel", "Online"))) == [
        tracking.TRACKING_CATEGORY_ARCHIVED.format(category="Sales channel")
    ]
    assert list(categories(xero, uk)) == ["Region (ACTIVE)"]


def test_at_most_two_categories_are_active(xero, xero_sandbox, uk, acme):
    with pytest.raises(SandboxHTTPError) as third:
        xero_sandbox.set_tracking_status(uk, "Old brand", status="ACTIVE")

    assert third.value.status == 400 and third.value.body["error"] == seed.TOO_MANY_ACTIVE_TRACKING_CATEGORIES
    assert list(categories(xero, uk)) == ["Region (ACTIVE)", "Sales channel (ACTIVE)"]
    # once one is archived, the other can take its place
    xero_sandbox.set_tracking_status(uk, "Region")
    assert xero_sandbox.set_tracking_status(uk, "Old brand", status="ACTIVE")["Status"] == "ACTIVE"
    assert list(categories(xero, uk)) == ["Old brand (ACTIVE)", "Sales channel (ACTIVE)"]
    assert not create(xero, uk, tracked_bill(acme, named("Old brand", "Classic"))).has_errors


def test_status_helper_refuses_unknown_names_and_statuses(xero_sandbox, uk):
    with pytest.raises(SandboxHTTPError) as category:
        xero_sandbox.set_tracking_status(uk, "Department")
    with pytest.raises(SandboxHTTPError) as option:
        xero_sandbox.set_tracking_status(uk, "Region", "East")
    with pytest.raises(SandboxHTTPError) as status:
        xero_sandbox.set_tracking_status(uk, "Region", "North", status="DELETED")

    assert (category.value.status, option.value.status, status.value.status) == (404, 404, 400)


def test_copies_of_organisations_have_the_categories(xero_sandbox, uk, acme):
    copy = xero_sandbox.admin("POST", "organisations", {"copies": 1})["tenants"][0]
    grant = xero_sandbox.admin("POST", "grants", {"tenants": [copy]})["grants"][0]
    xero = xero_sandbox.sdk(xero_sandbox.sdk_token(grant))

    assert list(categories(xero, copy)) == ["Region (ACTIVE)", "Sales channel (ACTIVE)"]
    created = create(xero, copy, tracked_bill(acme, named("Sales channel", "Marketplace")))
    assert entries(created.line_items[0]) == normalised(xero_sandbox, uk, ("Sales channel", "Marketplace"))
