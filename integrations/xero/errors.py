"""The typed errors of the Xero boundary. Callers never see SDK or urllib3 exceptions.

Each error carries `message`: plain words a finance person can act on.
"""

import json

import urllib3.exceptions
from xero_python.exceptions import AccessTokenExpiredError, ApiException, OAuth2Error
from onport.errors import ApplicationError


class XeroError(ApplicationError):
    """Anything that went wrong talking to Xero, in words a finance person can act on."""


class XeroAuthError(XeroError):
    """Xero no longer accepts our grant for this organisation: an admin must reconnect."""


class XeroTokenRejected(XeroError):
    """A 401: the access token was refused (expired early); refresh once and retry."""


class XeroRateLimited(XeroError):
    def __init__(self, message: str, *, retry_after: float, problem: str):
        super().__init__(message)
        self.retry_after = retry_after
        self.problem = problem


class XeroValidationError(XeroError):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages) or "Xero refused the request.")
        self.messages = messages


class XeroNotFound(XeroError):
    pass


class XeroLookupRefused(XeroNotFound):
    """Xero answered 404 to a list call: not "nothing found" and not an outage (e.g. a URL too long)."""


class XeroUnexpectedAnswer(XeroError):
    """Xero answered, but the SDK could not read the answer (a value newer than the SDK, an odd shape).

    For a write, what Xero did is unknown: look it up before sending again."""


class XeroUnavailable(XeroError):
    """5xx, timeout or dropped connection: the outcome of a write is unknown."""


# What xero-python's deserializer raises on an answer it cannot read: an enum value it does not list
# (ValueError), or a shape it did not expect (TypeError, KeyError, AttributeError, IndexError).
UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError)


def _body_json(error: ApiException) -> dict:
    try:
        return json.loads(error.body or b"{}")
    except (TypeError, ValueError):
        return {}


def validation_messages(payload: dict) -> list[str]:
    """The ValidationErrors messages of a Xero 400 body (or of one element)."""
    elements = payload.get("Elements") or [payload]
    messages = [error.get("Message", "") for element in elements for error in element.get("ValidationErrors") or []]
    return [message for message in messages if message] or ([payload["Message"]] if payload.get("Message") else [])


def translate(error: Exception, *, organisation: str = "Xero") -> XeroError:
    """Our typed error for whatever the SDK or urllib3 raised."""
    if isinstance(error, XeroError):
        return error
    if isinstance(error, AccessTokenExpiredError):
        return XeroAuthError(f"Onport's access to {organisation} has ended. An admin must reconnect it.")
    if isinstance(error, ApiException):
        status = getattr(error.http_resp, "status", None) or error.status
        body = _body_json(error)
        if status == 400 and body.get("error") == "invalid_grant":
            return XeroAuthError(
                f"Xero no longer accepts Onport's connection to {organisation}. An admin must reconnect it."
            )
        if status == 400:
            return XeroValidationError(validation_messages(body))
        if status == 401:
            return XeroTokenRejected(str(body.get("Detail") or "Xero refused the access token."))
        if status == 403:
            return XeroAuthError(
                f"Xero refused access to {organisation}: the app was disconnected there. An admin must reconnect it."
            )
        if status == 404:
            return XeroNotFound("Xero could not find it.")
        if status == 429:
            headers = error.headers or {}
            retry_after = float(headers.get("Retry-After") or headers.get("retry-after") or 60)
            problem = (headers.get("X-Rate-Limit-Problem") or headers.get("x-rate-limit-problem") or "").lower()
            return XeroRateLimited(
                f"Xero's {problem or 'rate'} limit was reached; retrying later.",
                retry_after=retry_after,
                problem=problem,
            )
        return XeroUnavailable(f"Xero answered {status}; it may be down for a moment.")
    if isinstance(error, OAuth2Error):
        return XeroAuthError(f"Onport's access to {organisation} has ended. An admin must reconnect it.")
    if isinstance(error, (urllib3.exceptions.HTTPError, ConnectionError, TimeoutError)):
        return XeroUnavailable("Xero did not answer in time; it may be down for a moment.")
    if isinstance(error, UNREADABLE):
        return XeroUnexpectedAnswer(
            f"What {organisation} answered could not be read by Onport (Xero sent a value Onport does not know yet)."
        )
    raise error
