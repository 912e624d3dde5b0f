"""One command for the zero-setup demo: database, demo data, Xero sandbox, worker, beat and web."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.urls import reverse

SANDBOX_CLIENT_ID = "onport-sandbox"
SANDBOX_CLIENT_SECRET = "onport-sandbox-secret"
DEMO_WEBHOOK_KEY = "onport-sandbox-webhook-key"


class Command(BaseCommand):
    help = "Migrate, seed the demo, then run the Xero sandbox, a Celery worker, beat and the web server."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--sandbox-port", type=int, default=8765)

    def handle(self, *args, port: int, sandbox_port: int, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", verbosity=0)
        call_command("seed_demo")
        sandbox = f"http://127.0.0.1:{sandbox_port}"
        env = {
            **os.environ,
            "DEBUG": "true",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "XERO_CLIENT_ID": os.environ.get("XERO_CLIENT_ID", SANDBOX_CLIENT_ID),
            "XERO_CLIENT_SECRET": os.environ.get("XERO_CLIENT_SECRET", SANDBOX_CLIENT_SECRET),
            "XERO_AUTHORIZE_URL": f"{sandbox}/identity/connect/authorize",
            "XERO_TOKEN_URL": f"{sandbox}/connect/token",
            "XERO_REVOKE_URL": f"{sandbox}/connect/revocation",
            "XERO_API_BASE": sandbox,
            "XERO_WEBHOOK_KEY": os.environ.get("XERO_WEBHOOK_KEY", DEMO_WEBHOOK_KEY),
        }
        python = sys.executable
        commands = {
            "xero-sandbox": [
                python,
                "manage.py",
                "xero_sandbox",
                "--port",
                str(sandbox_port),
                "--state-file",
                str(settings.VAR_DIR / "xero-sandbox.json"),
                "--client-id",
                env["XERO_CLIENT_ID"],
                "--client-secret",
                env["XERO_CLIENT_SECRET"],
                "--webhook-url",
                f"http://127.0.0.1:{port}{reverse('xero_webhook')}",
                "--webhook-key",
                env["XERO_WEBHOOK_KEY"],
            ],
            "worker": [python, "-m", "celery", "-A", "onport", "worker", "--loglevel", "INFO", "--concurrency", "2"],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "onport",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(settings.VAR_DIR / "celerybeat-schedule"),
            ],
            "web": [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        }
        processes = {name: subprocess.Popen(command, env=env) for name, command in commands.items()}
        self.stdout.write(self.style.SUCCESS(f"Onport: http://127.0.0.1:{port}/  (Xero sandbox: {sandbox})"))
        self.stdout.write("Press Ctrl-C to stop everything.")
        try:
            while all(process.poll() is None for process in processes.values()):
                time.sleep(0.5)
            stopped = [name for name, process in processes.items() if process.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; shutting the rest down.")
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
