"""The sandbox HTTP server: the WSGI app and `SandboxServer` to run it in a thread (routes: routes.py).

    server = SandboxServer(port=0, state_file=None, token_ttl=60).start()
    server.base_url            # http://127.0.0.1:<port>
    server.stop()
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from . import admin
from .config import (
    DEFAULT_APP_NAME,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    ClientApp,
    SandboxConfig,
)
from .faults import BEFORE_KINDS, FaultInjector
from .gateway import META_KEY, ConnectionDropped, handle_api, inject
from .idempotency import IdempotencyStore
from .limits import RateLimiter
from .request_log import (
    MAX_RECORDED_RESPONSE_BYTES,
    SECRET_RESPONSE_FIELDS,
    RequestLog,
    describe_request,
)
from .routes import (
    ADMIN_ENDPOINTS,
    API_ENDPOINTS,
    IDENTITY_ENDPOINTS,
    PARAM_NAMES,
    URL_MAP,
    canonical_path,
)
from .runtime import Sandbox, json_response
from .url_limit import MAX_URL_LENGTH, request_url_length, url_too_long
from .state import SandboxState
from .webhooks import WebhookHub

logger = logging.getLogger(__name__)

class SandboxApp:
    """The WSGI application."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        started = time.monotonic()
        is_admin = request.path.startswith("/_sandbox")
        response: Response | None = None
        try:
            try:
                response = self.dispatch(request)
            except ConnectionDropped:
                raise
            except Exception:  # the server's last line of defence: log it, answer like Xero's 500
                logger.exception("Xero sandbox failed on %s %s", request.method, request.path)
                response = json_response({"Title": "An error occurred", "Status": 500,
                                          "Detail": "An unexpected error occurred in the Xero sandbox"}, 500)
            return response(environ, start_response)
        finally:
            if not is_admin:
                self._record(request, response, started)
            self.sandbox.webhooks.observe()

    def dispatch(self, request: Request) -> Response:
        if not request.path.startswith("/_sandbox") and request_url_length(request.environ) > MAX_URL_LENGTH:
            return url_too_long()
        adapter = URL_MAP.bind_to_environ(request.environ)
        try:
            endpoint, params = adapter.match(path_info=canonical_path(request.path), method=request.method)
        except HTTPException as error:
            body = {"Title": error.name, "Status": error.code, "Detail": error.description}
            return json_response(body, error.code or 404)
        if endpoint in ADMIN_ENDPOINTS:
            return admin.run_admin(self.sandbox, request, ADMIN_ENDPOINTS[endpoint], params)
        if endpoint in IDENTITY_ENDPOINTS:
            return self._identity(request, IDENTITY_ENDPOINTS[endpoint], params)
        handler, scope_group = API_ENDPOINTS[endpoint]
        if "item_id" in params:
            params[PARAM_NAMES["item_id"][endpoint.split(".")[0]]] = params.pop("item_id")
        return handle_api(self.sandbox, request, handler, scope_group, params)

    def _identity(self, request: Request, handler: Any, params: dict[str, Any]) -> Response:
        sandbox = self.sandbox
        if sandbox.faults.latency_seconds():
            time.sleep(sandbox.faults.latency_seconds())
        fault = sandbox.faults.next_fault(request.method, request.path)
        request.environ.setdefault(META_KEY, {})["fault"] = fault
        injected = inject(sandbox, request, fault, BEFORE_KINDS)
        if injected:
            return injected
        response = handler(sandbox, request, **params)
        sandbox.state.save_if_changed()
        return inject(sandbox, request, fault, {"503_after", "drop_after"}) or response

    def _record(self, request: Request, response: Response | None, started: float) -> None:
        json_body = None
        if request.mimetype == "application/json":
            try:
                json_body = json.loads(request.get_data(cache=True) or b"null")
            except ValueError:
                json_body = {"_unparseable": request.get_data(cache=True)[:2000].decode("utf-8", "replace")}
        entry = describe_request(request, json_body)
        meta = request.environ.get(META_KEY, {})
        entry.update(
            status=response.status_code if response is not None else None,
            duration_ms=round((time.monotonic() - started) * 1000, 1), fault=meta.get("fault") or meta.get("dropped"),
            dropped=bool(meta.get("dropped")), idempotent_replay=bool(meta.get("idempotent_replay")),
            client_id=meta.get("client_id"), tenant_id=meta.get("tenant_id"),
            rate_limit_problem=response.headers.get("X-Rate-Limit-Problem") if response is not None else None,
            response_json=_response_json(response),
        )
        self.sandbox.requests.add(entry)


def _response_json(response: Response | None) -> Any:
    if response is None or response.mimetype != "application/json" or response.direct_passthrough:
        return None
    data = response.get_data()
    if len(data) > MAX_RECORDED_RESPONSE_BYTES:
        return None
    try:
        body = json.loads(data)
    except ValueError:
        return None
    if isinstance(body, dict):  # token responses: keep the shape, never the tokens
        body = {key: ("***" if key in SECRET_RESPONSE_FIELDS else value) for key, value in body.items()}
    return body


class QuietRequestHandler(WSGIRequestHandler):
    """Logs each request only when the sandbox's `quiet` setting is off (it can change at run time)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if not self.server.app.sandbox.config.quiet:
            super().log_request(code, size)


class SandboxServer:
    """A real HTTP server on a background thread (`start`) or the foreground (`serve_forever`)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, state_file: str | Path | None = None, *,
                 client_id: str = DEFAULT_CLIENT_ID, client_secret: str = DEFAULT_CLIENT_SECRET,
                 app_name: str = DEFAULT_APP_NAME, redirect_uris: list[str] | None = None,
                 latency_ms: int = 0, faults: dict[str, float] | None = None, fault_seed: int | None = None,
                 jwt_secret: str | None = None, webhook_url: str | None = None, webhook_key: str | None = None,
                 **settings: Any) -> None:
        config = SandboxConfig(clients=[ClientApp(client_id, client_secret, app_name, list(redirect_uris or []))])
        config.update(settings)
        state = SandboxState(state_file, jwt_secret=jwt_secret)
        self.sandbox = Sandbox(
            state=state, config=config, initial_config=config.copy(), limiter=RateLimiter(config),
            idempotency=IdempotencyStore(state, config), faults=FaultInjector(latency_ms, faults, fault_seed),
            requests=RequestLog(), webhooks=WebhookHub(state, config),
        )
        if webhook_url and webhook_key:  # as set in Xero's developer portal
            self.sandbox.webhooks.subscribe(client_id=client_id, url=webhook_url, key=webhook_key)
        self.host, self.port = host, port
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host = self.host if self.host not in {"0.0.0.0", "::"} else "127.0.0.1"
        return f"http://{host}:{self.port}"

    def _bind(self) -> None:
        self._server = make_server(self.host, self.port, SandboxApp(self.sandbox), threaded=True,
                                   request_handler=QuietRequestHandler)
        self.port = self._server.server_address[1]
        self.sandbox.state.save_if_changed()

    def start(self) -> SandboxServer:
        self._bind()
        self._thread = threading.Thread(target=self._server.serve_forever, name="xero-sandbox", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        if self._server is None:
            self._bind()
        try:
            self._server.serve_forever()
        finally:
            self.sandbox.state.save_if_changed()

    def stop(self) -> None:
        self.sandbox.webhooks.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.sandbox.state.save_if_changed()
        self._server = self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def run(host: str = "127.0.0.1", port: int = 8765, **options: Any) -> None:
    """Serve in the foreground until interrupted (used by `manage.py xero_sandbox`)."""
    server = SandboxServer(host=host, port=port, **options)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("Xero sandbox stopped")
