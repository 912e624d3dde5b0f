"""Shared plumbing of the accounting endpoints: context, Xero's envelope, errors, batches, paging."""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from werkzeug.wrappers import Request, Response

from .config import ClientApp
from .formats import parse_bool, parse_http_datetime, to_wire, utc_now
from .runtime import Sandbox, json_response
from .where import WhereError, compile_where, sort_documents

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class ApiError(Exception):
    """Stops an endpoint with a ready-made Xero error response."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body)
        self.status, self.body = status, body


class ElementInvalid(Exception):
    """One element of a batch failed validation (the rest of the batch carries on)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def validation_exception(elements: list[dict[str, Any]]) -> ApiError:
    return ApiError(400, {"ErrorNumber": 10, "Type": "ValidationException",
                          "Message": "A validation exception occurred", "Elements": elements})


def single_validation_error(message: str) -> ApiError:
    return validation_exception([{"ValidationErrors": [{"Message": message}]}])


def not_found(message: str = "The resource you're looking for cannot be found") -> ApiError:
    return ApiError(404, {"Title": "Resource Not Found", "Status": 404, "Detail": message})


def bad_post_data(message: str) -> ApiError:
    return ApiError(400, {"ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": message})


@dataclass
class ApiContext:
    sandbox: Sandbox
    request: Request
    tenant_id: str
    org: dict[str, Any]
    client: ClientApp
    body: Any = None
    now: datetime = field(default_factory=utc_now)

    @property
    def organisation(self) -> dict[str, Any]:
        return self.org["organisation"]

    def arg(self, name: str) -> str | None:
        """Query parameters are case-insensitive in Xero (`IDs`, `ids`, `summarizeErrors`…)."""
        if name in self.request.args:
            return self.request.args[name]
        return next((value for key, value in self.request.args.items() if key.lower() == name.lower()), None)

    def flag(self, name: str, default: bool = False) -> bool:
        return parse_bool(self.arg(name), default)

    def id_list(self, name: str) -> list[str]:
        return [part.strip() for part in (self.arg(name) or "").split(",") if part.strip()]

    def unitdp(self) -> int:
        return 4 if self.arg("unitdp") == "4" else 2

    def changed(self) -> None:
        self.sandbox.state.mark_changed()

    def elements(self, collection: str) -> list[Any]:
        """`{"Invoices": [...]}`, or one bare object, as Xero accepts both."""
        body = self.body
        if isinstance(body, dict) and collection in body:
            items = body[collection]
        elif isinstance(body, dict) and body:
            items = [body]
        else:
            raise bad_post_data(f"The request body must contain {collection}.")
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise bad_post_data(f"{collection} must be a list of objects.")
        return items


def envelope(ctx: ApiContext, collection: str, items: list[dict[str, Any]], *, status: int = 200,
             pagination: dict[str, int] | None = None) -> Response:
    body: dict[str, Any] = {
        "Id": str(uuid.uuid4()), "Status": "OK", "ProviderName": ctx.client.name,
        "DateTimeUTC": to_wire(utc_now()),
    }
    if pagination is not None:
        body["pagination"] = pagination
    body[collection] = to_wire(items)
    return json_response(body, status)


def run_batch(ctx: ApiContext, collection: str, elements: list[dict[str, Any]],
              apply_one: Callable[[dict[str, Any]], dict[str, Any]], *, has_errors_key: str = "HasErrors",
              id_key: str | None = None) -> Response:
    """Apply each element independently, then answer like Xero for the summarizeErrors value.

    summarizeErrors=false: 200 and every element with HasErrors/StatusAttributeString/ValidationErrors.
    Otherwise any failure gives 400 ValidationException listing the failed elements — the valid
    ones were still saved, as in Xero.
    """
    results: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for element in elements:
        try:
            document = apply_one(element)
        except ElementInvalid as invalid:
            echo = {key: value for key, value in element.items() if key != id_key or value}
            echo.update({has_errors_key: True, "StatusAttributeString": "ERROR",
                         "ValidationErrors": [{"Message": message} for message in invalid.messages]})
            results.append(echo)
            failed.append(echo)
            continue
        document.update({has_errors_key: False, "StatusAttributeString": "OK", "ValidationErrors": []})
        results.append(document)
    if failed and ctx.flag("summarizeErrors", default=True):
        raise validation_exception(to_wire(failed))
    return envelope(ctx, collection, results)


def query_documents(ctx: ApiContext, documents: list[dict[str, Any]], *, default_order: str | None,
                    modified_key: str | None = "UpdatedDateUTC") -> list[dict[str, Any]]:
    """`where`, `order` and `If-Modified-Since`, common to every list endpoint."""
    try:
        predicate = compile_where(ctx.arg("where"))
    except WhereError as error:
        raise single_validation_error(f"The where clause could not be understood: {error}") from None
    since_header = ctx.request.headers.get("If-Modified-Since")
    if since_header and modified_key:
        try:
            since = parse_http_datetime(since_header)
        except (TypeError, ValueError):
            raise single_validation_error("The If-Modified-Since header is not a valid date.") from None
        documents = [d for d in documents if d.get(modified_key) and d[modified_key] > since]
    documents = [document for document in documents if predicate(document)]
    return sort_documents(documents, ctx.arg("order"), default_order)


def paginate(ctx: ApiContext, documents: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, int], bool]:
    """Slice one page. Without `page` Xero returns everything (and omits line items for Invoices)."""
    page_text = ctx.arg("page")
    try:
        size = min(max(int(ctx.arg("pageSize") or DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE)
        page = max(int(page_text), 1) if page_text else None
    except ValueError:
        raise single_validation_error("page and pageSize must be whole numbers.") from None
    total = len(documents)
    if page is None:
        return documents, {"page": 1, "pageSize": total, "pageCount": 1 if total else 0, "itemCount": total}, False
    pagination = {"page": page, "pageSize": size, "pageCount": math.ceil(total / size), "itemCount": total}
    return documents[(page - 1) * size: page * size], pagination, True


def parse_json_body(request: Request) -> Any:
    raw = request.get_data(cache=True)
    if not raw or request.mimetype not in {"application/json", "text/json", ""}:
        return None
    try:
        return json.loads(raw)
    except ValueError as error:
        raise bad_post_data(f"The JSON in the request body could not be read: {error}") from None
