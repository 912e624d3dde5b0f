"""Domain events: what one app announces once its transaction has committed, for another app to act on,
so that the announcing app does not depend on the ones that listen. This module is the one list of them.

| event             | announced by                      | acted on by                                               |
| ----------------- | --------------------------------- | --------------------------------------------------------- |
| InvoiceIssued     | invoicing.services.invoice_issue  | accounting.sync: automatic sync (Setup > Accounting flags) |
| AdjustmentAdded   | invoicing.services (adjustments)  | accounting.sync: the adjustment's credit note or bill      |
| InvoiceAmended    | invoicing.services (amend)        | accounting.sync: the bill is updated, or shown as changed  |
| InvoiceVoided     | invoicing.services.invoice_void   | accounting.sync: the bill is voided (or deleted) in Xero   |
| InvoicePaid       | invoicing.services.invoice_mark_paid | accounting.sync: its payment is recorded on the bill    |
| VendorNumberSet   | invoicing.services.invoice_vendor_number_set | accounting.sync: a note on the bill's history   |
| DocumentUploaded  | invoicing.documents.invoice_document_upload  | accounting.sync: the file goes onto the bill     |

Handlers subscribe in their app's `AppConfig.ready()`. A handler runs after the commit, in the request
or task that announced the event; it should only queue work (the outbox does the rest).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction


@dataclass(frozen=True)
class InvoiceIssued:
    invoice_id: int


@dataclass(frozen=True)
class AdjustmentAdded:
    adjustment_id: int


@dataclass(frozen=True)
class InvoiceAmended:
    invoice_id: int


@dataclass(frozen=True)
class InvoiceVoided:
    invoice_id: int


@dataclass(frozen=True)
class InvoicePaid:
    invoice_id: int


@dataclass(frozen=True)
class VendorNumberSet:
    invoice_id: int


@dataclass(frozen=True)
class DocumentUploaded:
    invoice_id: int


Event = (
    InvoiceIssued | AdjustmentAdded | InvoiceAmended | InvoiceVoided | InvoicePaid | VendorNumberSet | DocumentUploaded
)

_handlers: dict[type, list[Callable]] = defaultdict(list)


def subscribe(event_type: type, handler: Callable[[Event], None]) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def publish_on_commit(event: Event) -> None:
    """Deliver `event` to its handlers once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _deliver(event))


def _deliver(event: Event) -> None:
    for handler in _handlers[type(event)]:
        handler(event)
