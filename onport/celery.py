import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onport.settings")

app = Celery("onport")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
