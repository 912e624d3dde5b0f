"""Invoice attachments: upload raw bytes by file name (PUT creates, POST replaces), list, download."""

from __future__ import annotations

import mimetypes
import uuid
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from .accounting import (
    ApiContext,
    ApiError,
    envelope,
    not_found,
    single_validation_error,
)

MAX_ATTACHMENTS = 10


def _invoice(ctx: ApiContext, invoice_id: str) -> dict[str, Any]:
    invoice = ctx.org["invoices"].get(invoice_id.lower())
    if invoice is None:
        raise not_found()
    return invoice


def _public(ctx: ApiContext, invoice_id: str, attachment: dict[str, Any]) -> dict[str, Any]:
    base = ctx.request.host_url.rstrip("/")
    url = f"{base}/api.xro/2.0/Invoices/{invoice_id}/Attachments/{quote(attachment['FileName'])}"
    return {**{k: v for k, v in attachment.items() if k != "_content"}, "Url": url}


def get_attachments(ctx: ApiContext, invoice_id: str) -> Response:
    invoice = _invoice(ctx, invoice_id)
    stored = ctx.org["attachments"].get(invoice["InvoiceID"], [])
    return envelope(ctx, "Attachments", [_public(ctx, invoice["InvoiceID"], a) for a in stored])


def get_attachment_content(ctx: ApiContext, invoice_id: str, file_name: str) -> Response:
    invoice = _invoice(ctx, invoice_id)
    for attachment in ctx.org["attachments"].get(invoice["InvoiceID"], []):
        if file_name in {attachment["FileName"], attachment["AttachmentID"]}:
            return Response(attachment["_content"], content_type=attachment["MimeType"])
    raise not_found()


def upload_attachment(ctx: ApiContext, invoice_id: str, file_name: str) -> Response:
    invoice = _invoice(ctx, invoice_id)
    content = ctx.request.get_data(cache=True)
    if not content:
        raise single_validation_error("The attachment is empty.")
    if len(content) > ctx.sandbox.config.max_attachment_bytes:
        limit = ctx.sandbox.config.max_attachment_bytes
        raise ApiError(413, {"Title": "Request Entity Too Large", "Status": 413,
                             "Detail": f"Attachments must be {limit} bytes or smaller."})
    stored = ctx.org["attachments"].setdefault(invoice["InvoiceID"], [])
    replacing = ctx.request.method == "POST" and any(a["FileName"] == file_name for a in stored)
    if replacing:
        stored[:] = [a for a in stored if a["FileName"] != file_name]
    elif len(stored) >= MAX_ATTACHMENTS:
        raise single_validation_error(f"An invoice can have at most {MAX_ATTACHMENTS} attachments.")
    attachment = {
        "AttachmentID": str(uuid.uuid4()), "FileName": file_name,
        "MimeType": mimetypes.guess_type(file_name)[0] or "application/octet-stream", "ContentLength": len(content),
        "IncludeOnline": ctx.flag("IncludeOnline"), "_content": content,
    }
    stored.append(attachment)
    invoice["HasAttachments"] = True
    ctx.changed()
    return envelope(ctx, "Attachments", [_public(ctx, invoice["InvoiceID"], attachment)])
