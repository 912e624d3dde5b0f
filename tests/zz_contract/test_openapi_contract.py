"""Contract: every JSON body the Xero sandbox received during the test session — from the sandbox
tests and from Onport's own code — must match Xero's official OpenAPI spec for that operation, and
every JSON answer the sandbox gave must match the spec's response schema.

This directory is named zz_ so pytest runs it last and the session-wide request list is complete.
Run alone, it first drives a representative workload through xero-python so it never passes empty.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_DIR = Path(__file__).parent / "xero-openapi"  # Xero's own specs (MIT), kept in the repo: see its SOURCE.txt
SPEC_URI = "urn:xero-accounting"
API_PREFIX = "/api.xro/2.0"
WRITE_METHODS = {"PUT", "POST"}


@lru_cache(maxsize=1)
def accounting_spec() -> dict[str, Any]:
    with open(SPEC_DIR / "xero_accounting.yaml", encoding="utf-8") as handle:
        spec = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    nullable_where_described(spec)
    return spec


def nullable_where_described(node: Any) -> None:
    """The spec says in words, not with `nullable: true`, where Xero may answer null (Account.SystemAccount:
    "non-system accounts may have this element set as either "" or null"): take it at its word."""
    if isinstance(node, dict):
        if node.get("type") == "string" and "or null" in str(node.get("description", "")):
            node["nullable"] = True
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        for child in node.values():
            nullable_where_described(child)
    elif isinstance(node, list):
        for child in node:
            nullable_where_described(child)


@lru_cache(maxsize=1)
def registry() -> Registry:
    return Registry().with_resource(SPEC_URI, Resource(contents=accounting_spec(), specification=DRAFT4))


@lru_cache(maxsize=1)
def path_templates() -> list[tuple[re.Pattern[str], str]]:
    """Spec paths as regexes, literal segments first so /Invoices/{id}/History beats looser matches."""
    templates = []
    for template in accounting_spec()["paths"]:
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$", re.IGNORECASE)
        templates.append((template.count("{"), pattern, template))
    return [(pattern, template) for _, pattern, template in sorted(templates, key=lambda item: item[0])]


def operation_for(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    relative = path[len(API_PREFIX) :]
    for pattern, template in path_templates():
        operation = accounting_spec()["paths"][template].get(method.lower())
        if operation and pattern.match(relative):
            return template, operation
    return None


def resolve_local(node: dict[str, Any]) -> dict[str, Any]:
    """Follow document-local `$ref`s (request bodies may live in components/requestBodies)."""
    while str(node.get("$ref", "")).startswith("#/"):
        target: Any = accounting_spec()
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def schema_errors(schema: dict[str, Any], instance: Any) -> list[str]:
    validator = OAS30Validator(schema, registry=registry(), format_checker=oas30_format_checker)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message[:300]}"
        for error in validator.iter_errors(instance)
    ]


def anchored(schema: dict[str, Any]) -> dict[str, Any]:
    """Spec refs are document-relative (#/components/…): resolve them inside the registered spec."""
    if str(schema.get("$ref", "")).startswith("#/"):
        return {"$ref": SPEC_URI + schema["$ref"]}
    return {**schema, "components": accounting_spec()["components"]}  # inline schema: give its refs a home


def request_problems(entry: dict[str, Any]) -> list[str]:
    found = operation_for(entry["method"], entry["path"])
    where = f"{entry['method']} {entry['path']}"
    if found is None:
        return [f"{where}: no such operation in xero_accounting.yaml"]
    template, operation = found
    content = resolve_local(operation.get("requestBody") or {}).get("content", {})
    if "application/json" not in content:
        return [f"{where}: the spec's {template} takes no JSON body"]
    schema = anchored(content["application/json"]["schema"])
    return [f"{where} ({operation['operationId']}) {problem}" for problem in schema_errors(schema, entry["json"])]


def response_problems(entry: dict[str, Any]) -> list[str]:
    found = operation_for(entry["method"], entry["path"])
    if found is None or entry.get("fault") == "unknown_enum":  # enum values newer than the spec, on purpose
        return []
    _, operation = found
    response = resolve_local(operation.get("responses", {}).get(str(entry["status"]), {}))
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if not schema:
        return []
    return [
        f"{entry['method']} {entry['path']} → {entry['status']} ({operation['operationId']}) {problem}"
        for problem in schema_errors(anchored(schema), entry["response_json"])
    ]


def accounting_requests(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for entry in entries if entry["path"].lower().startswith(API_PREFIX.lower())]


def json_writes(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        entry
        for entry in accounting_requests(entries)
        if entry["method"] in WRITE_METHODS and isinstance(entry.get("json"), (dict, list))
    ]


def run_representative_workload(sandbox) -> None:
    """Every write Onport makes, through xero-python, so a lone run still checks real bodies."""
    from xero_python.accounting import (
        Account,
        Allocation,
        Allocations,
        Contact,
        Contacts,
        CreditNote,
        CreditNotes,
        HistoryRecord,
        HistoryRecords,
        Invoice,
        Invoices,
        LineAmountTypes,
        LineItem,
        Payment,
    )

    api = sandbox.sdk(sandbox.connect()).accounting
    tenant = sandbox.uk_tenant_id
    api.get_organisations(tenant)
    api.get_accounts(tenant, where='Status=="ACTIVE"')
    api.get_tax_rates(tenant)
    api.get_currencies(tenant)
    api.get_tracking_categories(tenant, include_archived=True)
    supplier = Contact(
        name="Contract Supplier", contact_number="ONP-C1", email_address="ap@contract.example", tax_number="GB1"
    )
    created_contact = api.create_contacts(tenant, Contacts(contacts=[supplier]), summarize_errors=False).contacts[0]
    contact_id = created_contact.contact_id
    api.update_contact(tenant, contact_id, Contacts(contacts=[Contact(email_address="bills@contract.example")]))
    api.update_or_create_contacts(tenant, Contacts(contacts=[Contact(contact_id=contact_id, tax_number="GB2")]))
    api.get_contacts(tenant, page=1, page_size=100, summary_only=True)

    goods = LineItem(
        description="Goods",
        quantity=Decimal("2"),
        unit_amount=Decimal("10.1234"),
        account_code="300",
        tax_type="INPUT2",
    )
    bill = Invoice(
        type="ACCPAY",
        contact=Contact(contact_id=contact_id),
        date=dt.date(2025, 3, 1),
        due_date=dt.date(2025, 3, 31),
        line_amount_types=LineAmountTypes.EXCLUSIVE,
        invoice_number="C-1",
        url="https://onport.example/i/1",
        status="AUTHORISED",
        line_items=[goods],
    )
    created = api.create_invoices(
        tenant, Invoices(invoices=[bill]), summarize_errors=False, unitdp=4, idempotency_key="contract-1"
    ).invoices[0]
    bill_id = created.invoice_id
    api.update_invoice(tenant, bill_id, Invoices(invoices=[Invoice(invoice_number="C-1b")]), unitdp=4)
    later = Invoice(invoice_id=bill_id, due_date=dt.date(2025, 4, 1))
    api.update_or_create_invoices(tenant, Invoices(invoices=[later]), summarize_errors=False)
    api.get_invoices(tenant, i_ds=[bill_id], page=1)
    api.create_invoice_history(tenant, bill_id, HistoryRecords(history_records=[HistoryRecord(details="Synced")]))
    api.create_invoice_attachment_by_file_name(tenant, bill_id, "invoice.pdf", b"%PDF-1.4")

    returned = LineItem(description="Return", quantity=Decimal("1"), unit_amount=Decimal("5"), account_code="300")
    credit = CreditNote(
        type="ACCPAYCREDIT",
        contact=Contact(contact_id=contact_id),
        status="AUTHORISED",
        date=dt.date(2025, 3, 2),
        line_items=[returned],
    )
    note = api.create_credit_notes(tenant, CreditNotes(credit_notes=[credit]), summarize_errors=False).credit_notes[0]
    share = Allocation(invoice=Invoice(invoice_id=bill_id), amount=Decimal("6"), date=dt.date(2025, 3, 3))
    api.create_credit_note_allocation(tenant, note.credit_note_id, Allocations(allocations=[share]))
    api.create_payment(
        tenant,
        Payment(
            invoice=Invoice(invoice_id=bill_id),
            account=Account(code="090"),
            date=dt.date(2025, 3, 4),
            amount=Decimal("1.00"),
            reference="BACS",
        ),
    )
    api.get_payments(tenant)


@pytest.fixture
def recorded(xero_sandbox, xero_sandbox_session) -> list[dict[str, Any]]:
    """Everything the sandbox received this session (the xero_sandbox fixture just collected it)."""
    assert (SPEC_DIR / "xero_accounting.yaml").exists(), f"Xero's OpenAPI specs belong in {SPEC_DIR}"
    entries = list(xero_sandbox_session.recorded_requests)
    if not json_writes(entries):
        run_representative_workload(xero_sandbox)
        entries = xero_sandbox.requests()
    return entries


def test_every_json_request_body_matches_the_xero_spec(recorded):
    writes = json_writes(recorded)

    problems = [problem for entry in writes for problem in request_problems(entry)]

    assert writes, "no JSON request reached the sandbox"
    assert not problems, f"{len(problems)} request bodies break Xero's OpenAPI spec:\n" + "\n".join(problems[:40])


def test_every_sandbox_json_answer_matches_the_xero_spec(recorded):
    answered = [
        entry
        for entry in accounting_requests(recorded)
        if entry.get("response_json") is not None and 200 <= (entry["status"] or 0) < 300
    ]

    problems = [problem for entry in answered for problem in response_problems(entry)]

    assert answered, "the sandbox recorded no JSON answers"
    assert not problems, f"{len(problems)} sandbox answers break Xero's OpenAPI spec:\n" + "\n".join(problems[:40])
