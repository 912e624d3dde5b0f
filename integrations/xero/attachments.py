"""Files on a bill in Xero: attach one (by file name; a file of the same name is replaced, not doubled), and list
what the bill has, to tell whether a file whose answer was lost was attached."""

from dataclasses import dataclass

from integrations.xero.client import XeroClient
from integrations.xero.sdk import request_timeout
from integrations.xero.values import text


@dataclass(frozen=True)
class Attached:
    file_name: str
    size: int


def bill_attach(
    client: XeroClient, *, bill_id: str, file_name: str, content: bytes, replace: bool, idempotency_key: str
) -> None:
    """PUT a new file on the bill, or POST over the file of that name it already has (`replace`)."""
    tenant = client.xero_account.tenant_id
    api = client.accounting
    if replace:
        call = lambda: api.update_invoice_attachment_by_file_name(  # noqa: E731
            tenant, bill_id, file_name, content, idempotency_key=idempotency_key, _request_timeout=request_timeout()
        )
    else:
        call = lambda: api.create_invoice_attachment_by_file_name(  # noqa: E731
            tenant,
            bill_id,
            file_name,
            content,
            include_online=False,
            idempotency_key=idempotency_key,
            _request_timeout=request_timeout(),
        )
    client.call(call, tenant_id=tenant)


def bill_attachments(client: XeroClient, *, bill_id: str) -> list[Attached]:
    tenant = client.xero_account.tenant_id
    answer = client.call(
        lambda: client.accounting.get_invoice_attachments(tenant, bill_id, _request_timeout=request_timeout()),
        tenant_id=tenant,
    )
    return [Attached(text(a.file_name), int(a.content_length or 0)) for a in answer.attachments or []]
