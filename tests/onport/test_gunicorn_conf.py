"""The access log of gunicorn's real Logger, configured from onport/gunicorn_conf.py, never holds Xero's grant."""

import socket
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from gunicorn.app.base import Application
from gunicorn.http import wsgi
from gunicorn.http.parser import RequestParser

from onport import gunicorn_conf

CONFIG = str(settings.BASE_DIR / "onport" / "gunicorn_conf.py")
CODE, STATE = "grant-code-4f9a1c", "signed-state-77b2e0"


class _ConfiguredApp(Application):
    """Gunicorn's own loading of `--config onport/gunicorn_conf.py`, without reading the test's argv."""

    def load_config(self):
        self.load_config_from_file(CONFIG)

    def load(self):  # pragma: no cover - no app is served
        raise NotImplementedError


@pytest.fixture
def access_log(tmp_path):
    """`access_log(raw_request) -> str`: the line the configured logger writes for that request."""
    app = _ConfiguredApp()
    log_file = tmp_path / "access.log"
    app.cfg.set("accesslog", str(log_file))
    logger = app.cfg.logger_class(app.cfg)
    server, client = socket.socketpair()

    def line(raw: bytes) -> str:
        request = next(iter(RequestParser(app.cfg, [raw], ("10.0.0.7", 51000))))
        response, environ = wsgi.create(request, server, ("10.0.0.7", 51000), ("127.0.0.1", 8000), app.cfg)
        response.status, response.sent = "200 OK", 1234
        logger.access(response, request, environ, timedelta(milliseconds=12))
        return log_file.read_text().splitlines()[-1]

    yield line
    server.close()
    client.close()


def test_the_config_file_sets_the_redacting_logger():
    app = _ConfiguredApp()

    assert app.cfg.logger_class.__name__ == "RedactingLogger"
    assert app.cfg.accesslog == "-" and app.cfg.bind == ["0.0.0.0:8000"]


def test_the_callback_path_is_the_one_django_serves():
    assert gunicorn_conf.XERO_CALLBACK_PATH == reverse("integrations:xero_callback")


@pytest.mark.parametrize("path", ["/integrations/xero/callback/", "/integrations/xero/callback"])
def test_the_callbacks_code_and_state_are_not_logged_but_its_path_is(access_log, path):
    line = access_log(
        f"GET {path}?code={CODE}&state={STATE}&scope=openid HTTP/1.1\r\nHost: onport.example.com\r\n"
        "User-Agent: Mozilla/5.0\r\n\r\n".encode()
    )

    assert CODE not in line and STATE not in line
    assert f'"GET {path}?[redacted] HTTP/1.1" 200 1234' in line


def test_a_page_opened_from_the_callback_does_not_log_the_grant_in_its_referer(access_log):
    line = access_log(
        b"GET /static/js/onport.js HTTP/1.1\r\nHost: onport.example.com\r\n"
        b"Referer: https://onport.example.com/integrations/xero/callback/?code="
        + CODE.encode()
        + b"&state="
        + STATE.encode()
        + b"\r\n\r\n"
    )

    assert CODE not in line and STATE not in line
    assert '"https://onport.example.com/integrations/xero/callback/?[redacted]"' in line
    assert "/static/js/onport.js" in line


def test_a_logged_out_admin_sent_to_log_in_does_not_log_the_grant_in_next(access_log):
    # what login_required answers the callback with: /login/?next=<the callback, its query percent-encoded>
    line = access_log(
        f"GET /login/?next=/integrations/xero/callback/%3Fcode%3D{CODE}%26state%3D{STATE} HTTP/1.1\r\n"
        "Host: onport.example.com\r\n\r\n".encode()
    )

    assert CODE not in line and STATE not in line
    assert '"GET /login/?next=/integrations/xero/callback/%3F[redacted] HTTP/1.1"' in line


def test_other_queries_are_logged_as_they_are(access_log):
    line = access_log(b"GET /contacts/payments/?number=INV-0042&state=failed HTTP/1.1\r\nHost: x\r\n\r\n")

    assert '"GET /contacts/payments/?number=INV-0042&state=failed HTTP/1.1"' in line


def test_every_atom_a_log_format_may_name_is_redacted():
    app = _ConfiguredApp()
    logger = app.cfg.logger_class(app.cfg)
    raw = f"GET /integrations/xero/callback/?code={CODE}&state={STATE} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    request = next(iter(RequestParser(app.cfg, [raw], ("10.0.0.7", 51000))))
    server, client = socket.socketpair()
    response, environ = wsgi.create(request, server, ("10.0.0.7", 51000), ("127.0.0.1", 8000), app.cfg)
    response.status = "200 OK"

    atoms = logger.atoms(response, request, environ, timedelta(0))

    assert not [name for name, value in atoms.items() if CODE in str(value) or STATE in str(value)]
    assert atoms["U"] == "/integrations/xero/callback/"
    assert atoms["q"] == atoms["{query_string}e"] == "[redacted]"
    server.close()
    client.close()
