"""Minimal HS256 JWTs: Xero's access tokens are JWTs the app may decode (without verifying)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


class InvalidToken(ValueError):
    pass


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_jwt(claims: dict[str, Any], secret: str) -> str:
    header = {"alg": "HS256", "typ": "JWT", "kid": "xero-sandbox"}
    signing_input = f"{_b64encode(json.dumps(header).encode())}.{_b64encode(json.dumps(claims).encode())}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64encode(signature)}"


def decode_jwt(token: str, secret: str) -> dict[str, Any]:
    """Claims of a token signed by this sandbox; raises InvalidToken otherwise (expiry not checked)."""
    try:
        header_part, claims_part, signature_part = token.split(".")
        expected = hmac.new(secret.encode(), f"{header_part}.{claims_part}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _b64decode(signature_part)):
            raise InvalidToken("signature validation failed")
        claims = json.loads(_b64decode(claims_part))
    except (ValueError, TypeError) as error:
        raise InvalidToken(str(error)) from error
    if not isinstance(claims, dict):
        raise InvalidToken("claims are not an object")
    return claims
