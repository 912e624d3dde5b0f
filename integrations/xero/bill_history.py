"""A bill's History and notes in Xero: add one note (what Onport knows of the invoice that Xero has no field
for), and read the notes back to tell whether a note whose answer was lost was written."""

from xero_python.accounting import HistoryRecord, HistoryRecords

from integrations.xero.client import XeroClient
from integrations.xero.sdk import request_timeout
from integrations.xero.values import text

MAX_NOTE_LENGTH = 2500  # Xero's limit for a history note's Details


def bill_note_add(client: XeroClient, *, bill_id: str, details: str, idempotency_key: str) -> None:
    """PUT one note on the bill's History (one call per bill: Xero has no batch for history)."""
    tenant = client.xero_account.tenant_id
    payload = HistoryRecords(history_records=[HistoryRecord(details=details[:MAX_NOTE_LENGTH])])
    client.call(
        lambda: client.accounting.create_invoice_history(
            tenant,
            bill_id,
            payload,
            idempotency_key=idempotency_key,
            _request_timeout=request_timeout(),
        ),
        tenant_id=tenant,
    )


def bill_notes(client: XeroClient, *, bill_id: str) -> list[str]:
    """The Details of every record on the bill's History, newest first."""
    tenant = client.xero_account.tenant_id
    answer = client.call(
        lambda: client.accounting.get_invoice_history(tenant, bill_id, _request_timeout=request_timeout()),
        tenant_id=tenant,
    )
    return [text(record.details) for record in answer.history_records or []]
