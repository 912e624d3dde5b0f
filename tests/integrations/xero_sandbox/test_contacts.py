"""Contacts through xero-python: filters, paging, summaries, uniqueness rules, archiving."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from xero_python.accounting import Contact, Contacts
from xero_python.exceptions import AccountingBadRequestException

from integrations.xero.sandbox import seed

from .builders import messages

ACTIVE_SEEDED = len(seed.SUPPLIER_NAMES) - 1


def test_archived_contacts_are_hidden_unless_asked_for(xero, uk):
    default = xero.accounting.get_contacts(uk).contacts
    everything = xero.accounting.get_contacts(uk, include_archived=True).contacts

    assert len(default) == ACTIVE_SEEDED and len(everything) == ACTIVE_SEEDED + 1
    assert seed.ARCHIVED_SUPPLIER not in {c.name for c in default}
    archived = next(c for c in everything if c.name == seed.ARCHIVED_SUPPLIER)
    assert archived.contact_status == "ARCHIVED"


def test_paging_with_page_size_and_pagination_block(xero_sandbox, xero, uk):
    xero_sandbox.bulk_contacts(uk, 250)

    first = xero.accounting.get_contacts(uk, page=1)
    last = xero.accounting.get_contacts(uk, page=3, page_size=100)
    big = xero.accounting.get_contacts(uk, page=1, page_size=5000)

    total = ACTIVE_SEEDED + 250
    assert len(first.contacts) == 100 and first.pagination.item_count == total and first.pagination.page_count == 3
    assert len(last.contacts) == total - 200 and last.pagination.page == 3
    assert len(big.contacts) == total and big.pagination.page_size == 1000


def test_summary_only_leaves_out_heavy_fields(xero, uk):
    contact = xero.accounting.get_contacts(uk, summary_only=True, page=1).contacts[0]

    assert contact.name and contact.contact_id and contact.email_address
    assert contact.addresses is None and contact.phones is None


def test_search_term_matches_name_email_and_is_case_insensitive(xero, uk):
    by_name = xero.accounting.get_contacts(uk, search_term="northwind").contacts
    by_email = xero.accounting.get_contacts(uk, search_term="ACCOUNTS@ACMEPACKAGING").contacts

    assert {c.name for c in by_name} == {"Northwind Traders", "Northwind Trading Co"}
    assert [c.name for c in by_email] == ["Acme Packaging Ltd"]


def test_where_clauses_combine_with_and(xero, uk):
    where = 'ContactStatus=="ACTIVE" AND Name=="Northwind Traders"'

    found = xero.accounting.get_contacts(uk, where=where).contacts
    by_email = xero.accounting.get_contacts(uk, where='EmailAddress=="accounts@cobaltfreight.example.co.uk"').contacts
    archived = xero.accounting.get_contacts(uk, where='ContactStatus=="ARCHIVED"').contacts

    assert [c.name for c in found] == ["Northwind Traders"]
    assert [c.name for c in by_email] == ["Cobalt Freight"]
    assert [c.name for c in archived] == [seed.ARCHIVED_SUPPLIER]


def test_a_where_clause_that_cannot_be_read_is_a_400(xero, uk):
    with pytest.raises(AccountingBadRequestException) as refused:
        xero.accounting.get_contacts(uk, where="Name = 'x'")

    assert "where clause" in refused.value.reason


def test_ids_filter(xero_sandbox, xero, uk):
    wanted = [xero_sandbox.seeded_contact_id(uk, name) for name in ("Cobalt Freight", "Delta Textiles")]

    found = xero.accounting.get_contacts(uk, i_ds=wanted).contacts

    assert sorted(c.contact_id for c in found) == sorted(wanted)


def test_if_modified_since_returns_only_later_changes(xero, uk, acme):
    since = dt.datetime.now(dt.timezone.utc)
    time.sleep(0.01)
    xero.accounting.update_contact(uk, acme, Contacts(contacts=[Contact(email_address="ap@acme.example")]))

    changed = xero.accounting.get_contacts(uk, if_modified_since=since).contacts

    assert [c.contact_id for c in changed] == [acme]
    assert changed[0].updated_date_utc > since


def test_create_contacts_and_duplicate_name_and_number_rules(xero, uk):
    created = xero.accounting.create_contacts(
        uk,
        Contacts(
            contacts=[
                Contact(
                    name="Brand New Supplier",
                    contact_number="ONP-1",
                    email_address="bills@new.example",
                    tax_number="GB1",
                ),
                Contact(name="acme packaging ltd"),
                Contact(name="Another", contact_number="ONP-1"),
            ]
        ),
        summarize_errors=False,
    ).contacts

    ok, same_name, same_number = created
    assert ok.contact_id and not ok.has_validation_errors and ok.contact_status == "ACTIVE"
    assert same_name.has_validation_errors and messages(same_name) == [
        "The contact name acme packaging ltd is already assigned to another contact. "
        "The contact name must be unique across all active contacts."
    ]
    assert same_name.contact_id is None
    assert messages(same_number) == ["The contact number ONP-1 is already assigned to another contact."]


def test_an_archived_namesake_does_not_block_a_new_contact(xero, uk):
    namesake = Contacts(contacts=[Contact(name=seed.ARCHIVED_SUPPLIER)])
    created = xero.accounting.create_contacts(uk, namesake, summarize_errors=False)

    assert not created.contacts[0].has_validation_errors


def test_summarized_errors_are_a_400_validation_exception(xero, uk):
    with pytest.raises(AccountingBadRequestException) as refused:
        xero.accounting.create_contacts(uk, Contacts(contacts=[Contact(name="Cobalt Freight")]))

    assert refused.value.status == 400
    assert refused.value.error_data["Type"] == "ValidationException"
    assert refused.value.reason.startswith("The contact name Cobalt Freight is already assigned")


def test_post_updates_by_contact_id_and_archiving_bumps_updated_date(xero, uk, acme):
    before = xero.accounting.get_contact(uk, acme).contacts[0]

    change = Contacts(contacts=[Contact(contact_id=acme, tax_number="GB999")])
    updated = xero.accounting.update_or_create_contacts(uk, change, summarize_errors=False).contacts[0]
    archive = Contacts(contacts=[Contact(contact_status="ARCHIVED")])
    archived = xero.accounting.update_contact(uk, acme, archive).contacts[0]

    assert updated.contact_id == acme and updated.tax_number == "GB999" and updated.name == "Acme Packaging Ltd"
    assert archived.contact_status == "ARCHIVED" and archived.updated_date_utc > before.updated_date_utc
    assert acme not in {c.contact_id for c in xero.accounting.get_contacts(uk).contacts}


def test_reactivating_is_refused_when_the_name_was_taken_meanwhile(xero, uk, acme):
    xero.accounting.update_contact(uk, acme, Contacts(contacts=[Contact(contact_status="ARCHIVED")]))
    xero.accounting.create_contacts(uk, Contacts(contacts=[Contact(name="Acme Packaging Ltd")]))

    result = xero.accounting.update_or_create_contacts(
        uk, Contacts(contacts=[Contact(contact_id=acme, contact_status="ACTIVE")]), summarize_errors=False
    ).contacts[0]

    assert result.has_validation_errors and "already assigned" in messages(result)[0]
