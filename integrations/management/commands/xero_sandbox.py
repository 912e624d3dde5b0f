"""Run the local Xero stand-in: `python manage.py xero_sandbox --port 8765`."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from integrations.xero.sandbox.config import DEFAULT_APP_NAME, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from integrations.xero.sandbox.faults import FAULT_KINDS
from integrations.xero.sandbox.server import SandboxServer


def fault_option(text: str) -> tuple[str, float]:
    kind, _, probability = text.partition("=")
    if kind not in (*FAULT_KINDS, "drop") or not probability:
        raise argparse.ArgumentTypeError(f"expected KIND=PROBABILITY with KIND in {', '.join((*FAULT_KINDS, 'drop'))}")
    return kind, float(probability)


class Command(BaseCommand):
    help = "Serve a local stand-in for Xero's identity and accounting APIs (for the demo and the tests)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--state-file", help="keep everything in this JSON file across restarts")
        parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
        parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
        parser.add_argument("--app-name", default=DEFAULT_APP_NAME, help="shown on the consent screen")
        parser.add_argument(
            "--redirect-uri",
            action="append",
            dest="redirect_uris",
            default=[],
            help="allowed redirect URI (repeatable); default: any http://127.0.0.1|localhost URI",
        )
        parser.add_argument("--token-ttl", type=int, help="access token lifetime in seconds (1800)")
        parser.add_argument(
            "--refresh-grace",
            type=int,
            dest="refresh_grace_seconds",
            help="seconds a used refresh token may be replayed (1800)",
        )
        parser.add_argument("--code-ttl", type=int, help="authorisation code lifetime in seconds (300)")
        parser.add_argument("--rate-per-minute", type=int, help="calls per minute per app and organisation (60)")
        parser.add_argument("--concurrent-limit", type=int, help="calls in flight per app and organisation (5)")
        parser.add_argument("--day-limit", type=int, help="calls per day per app and organisation (5000)")
        parser.add_argument("--idempotency-window", type=float, help="seconds an Idempotency-Key is remembered (360)")
        parser.add_argument("--latency-ms", type=int, default=0, help="added to every API call")
        parser.add_argument(
            "--fault",
            action="append",
            type=fault_option,
            default=[],
            metavar="KIND=P",
            help="random fault probability, e.g. --fault 503_before=0.1 --fault drop=0.01",
        )
        parser.add_argument("--fault-seed", type=int, help="seed for the random faults")
        parser.add_argument("--webhook-url", help="send signed webhooks (INVOICE, CONTACT, CREDITNOTE) to this URL")
        parser.add_argument("--webhook-key", help="the webhook signing key (Onport's XERO_WEBHOOK_KEY)")
        parser.add_argument("--verbose-requests", action="store_true", help="log every request")

    def handle(self, *args: Any, **options: Any) -> None:
        settings = {
            name: options[name]
            for name in (
                "token_ttl",
                "refresh_grace_seconds",
                "code_ttl",
                "rate_per_minute",
                "concurrent_limit",
                "day_limit",
                "idempotency_window",
            )
            if options[name] is not None
        }
        settings["quiet"] = not options["verbose_requests"]
        try:
            server = SandboxServer(
                host=options["host"],
                port=options["port"],
                state_file=options["state_file"],
                client_id=options["client_id"],
                client_secret=options["client_secret"],
                app_name=options["app_name"],
                redirect_uris=options["redirect_uris"],
                latency_ms=options["latency_ms"],
                faults=dict(options["fault"]),
                fault_seed=options["fault_seed"],
                webhook_url=options["webhook_url"],
                webhook_key=options["webhook_key"],
                **settings,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        server.sandbox.state.save_if_changed()
        base = f"http://{'127.0.0.1' if options['host'] in {'0.0.0.0', '::'} else options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"Xero sandbox on {base}"))
        self.stdout.write("Point Onport at it with:")
        for name, value in (
            ("XERO_CLIENT_ID", options["client_id"]),
            ("XERO_CLIENT_SECRET", options["client_secret"]),
            ("XERO_AUTHORIZE_URL", f"{base}/identity/connect/authorize"),
            ("XERO_TOKEN_URL", f"{base}/connect/token"),
            ("XERO_REVOKE_URL", f"{base}/connect/revocation"),
            ("XERO_API_BASE", base),
        ):
            self.stdout.write(f"  export {name}={value}")
        if options["webhook_url"]:
            self.stdout.write(f"Webhooks go to {options['webhook_url']} (signed with XERO_WEBHOOK_KEY)")
        self.stdout.write(f"Inspect: {base}/_sandbox/state  {base}/_sandbox/requests   (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Xero sandbox stopped.")
