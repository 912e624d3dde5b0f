import os
from pathlib import Path

from celery import Celery
from celery.signals import import_modules

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onport.settings")

app = Celery("onport")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()  # <app>.tasks of every installed app
app.autodiscover_tasks(
    ["accounting.setup", "accounting.sync", "accounting.payouts", "accounting.reconcile"]
)  # the accounting app's rooms keep their own


def filesystem_broker_folders() -> None:
    """The zero-setup broker (kombu's filesystem transport) needs its folders to exist."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@import_modules.connect
def _on_import_modules(sender=None, **kwargs) -> None:
    filesystem_broker_folders()
