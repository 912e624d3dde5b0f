"""How we build xero-python's ApiClient: one per use, its token from a getter, urllib3 retries off.

urllib3 retries a 429 by default, sleeping the whole Retry-After inside the call; our rate limiter and
task retries decide when to try again instead, so the SDK's HTTP layer must answer at once.
"""

from collections.abc import Callable

import urllib3
from django.conf import settings
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token

from integrations.xero.telemetry import instrument

CONNECT_SECONDS = 5.0


def request_timeout() -> tuple[float, float]:
    """(connect, read) seconds for every call to Xero (XERO_TIMEOUT_SECONDS): past these the outcome of a
    write is unknown and gets looked up before anything is sent again."""
    return (CONNECT_SECONDS, float(settings.XERO_TIMEOUT_SECONDS))


NO_RETRIES = urllib3.Retry(total=0, redirect=0, respect_retry_after_header=False, raise_on_status=False)


def sdk_api_client(
    *,
    token_getter: Callable[[], dict] | None = None,
    oauth2_token: OAuth2Token | None = None,
    xero_account_id: int | None = None,
) -> ApiClient:
    """Every ApiClient Onport uses; each of its requests is logged and counted (`telemetry`) for `xero_account_id`."""
    configuration = Configuration()
    # Assigned, never passed to Configuration(): it is a copy-of-the-first-instance singleton (XERO.md §8).
    configuration.oauth2_token = oauth2_token or OAuth2Token(
        settings.XERO_CLIENT_ID, settings.XERO_CLIENT_SECRET, expiration_buffer=0
    )
    api_client = ApiClient(
        configuration,
        pool_threads=1,
        oauth2_token_getter=token_getter,
        oauth2_token_saver=lambda token: None,  # tokens are saved by our row-locked refresh only
    )
    api_client.rest_client.pool_manager.connection_pool_kw["retries"] = NO_RETRIES
    instrument(api_client.rest_client, xero_account_id=xero_account_id)
    return api_client
