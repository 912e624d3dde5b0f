"""Test settings: the production settings with test-only secrets, plain HTTP and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
# Tests share the sandbox's organisations: a budget per test file would stall the suite. Tests of the
# rate limiter set their own figures.
os.environ.setdefault("XERO_CALLS_PER_MINUTE", "100000")
os.environ.setdefault("XERO_CONCURRENT_CALLS", "10")
# Tasks queued on commit run in the test process; tests that need real workers start them.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("XERO_WEBHOOK_KEY", "test-only-webhook-key")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "5ZrvS8lhYjzE0cBnqsFs3rxd2v5V3c6iV0Hq3iIkPBM=")

from onport.settings import *  # noqa: E402,F403
from onport.settings import STORAGES  # noqa: E402

ALLOWED_HOSTS = ["*"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STATIC_ROOT = BASE_DIR / "static"  # noqa: F405 (no collectstatic in tests; WhiteNoise serves the sources)
