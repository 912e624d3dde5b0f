"""Onport settings: everything comes from the environment (see `.env.example`)."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key" if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
VAR_DIR = Path(env("ONPORT_VAR_DIR", default=str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_prometheus",
    "axes",
    "onport",
    "contacts",
    "invoicing",
    "accounting",
    "integrations",
]

MIDDLEWARE = [
    # Prometheus request metrics (GET /metrics, onport/metrics.py): the first and the last middleware.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "onport.content_security.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "onport.middleware.CurrentAccountMiddleware",
    # Turns a login that axes refused into the lockout page; after the views' own middleware.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "onport.urls"
WSGI_APPLICATION = "onport.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onport.context_processors.current_account",
                "integrations.context_processors.xero_alerts",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A password reset link works for an hour (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)

# Login throttling (django-axes) for /login/ and the staff admin at /staff/login/ alike: its backend, first,
# refuses a locked-out login before the password is checked (even the right one). A username from one address
# is locked after 5 failures (a person mistyping has tries to spare, a guesser gets 5 a quarter of an hour); a
# username from anywhere after 20 (onport.lockout), so spreading the guesses over many addresses does not help
# either, while one stranger's 5 tries do not lock the person out. Never the address alone: colleagues behind
# the office's one address are not locked out by one person's typos. Locks last 15 minutes after the latest
# failure (each try while locked starts them again, so a guesser gains nothing by keeping on); a login clears
# that address's count, a password reset all of the username's, and staff either (README).
# The address is REMOTE_ADDR; with TRUST_PROXY_HEADERS the last X-Forwarded-For entry, the one the proxy adds
# (onport.lockout.client_ip).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "onport.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOCKOUT_USERNAME_FAILURE_LIMIT = env.int("LOCKOUT_USERNAME_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "onport.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "onport.lockout.client_ip"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Production-safe defaults; DEBUG (local development) relaxes the ones that need HTTPS.
# X-Forwarded-Proto is believed only when a TLS proxy in front sets it (TRUST_PROXY_HEADERS): anyone reaching
# gunicorn directly could send it and be served over plain HTTP as if it were HTTPS.
TRUST_PROXY_HEADERS = env.bool("TRUST_PROXY_HEADERS", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUST_PROXY_HEADERS else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP (onport/health.py)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): only our own files run or style the pages — no inline script, style or
# event handler, no eval (htmx is configured without it in base.html). form-action also gets the origin of
# XERO_AUTHORIZE_URL, added per response by onport.content_security (Connect redirects to Xero's consent).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Redis backs Celery, the cache and the shared locks; without it (the zero-setup demo) Celery
# runs on kombu's filesystem transport and the cache is per process.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
    }
else:  # Redis: messages carry a priority (0 first), so a person's sync is taken before another's backlog
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "priority_steps": list(range(10)),
        "sep": ":",
        "queue_order_strategy": "priority",
    }
CELERY_TASK_DEFAULT_PRIORITY = 4
# Every worker takes both queues; `celery worker -Q xero-urgent` keeps one for people's syncs alone.
CELERY_TASK_QUEUES = [Queue("celery"), Queue("xero-urgent")]
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "xero-keepalive": {"task": "integrations.tasks.xero_keepalive_all", "schedule": 6 * 60 * 60},
    "submit-tokens-prune": {"task": "onport.tasks.submit_tokens_prune_task", "schedule": 24 * 60 * 60},
    "accounting-sweep": {"task": "accounting.sync.tasks.accounting_sweep", "schedule": 60},
    "xero-contacts-refresh": {"task": "accounting.setup.tasks.xero_contacts_refresh_all", "schedule": 24 * 60 * 60},
    "xero-tracking-refresh": {"task": "accounting.setup.tasks.xero_tracking_refresh_all", "schedule": 60 * 60},
    "payouts-schedule": {"task": "accounting.payouts.tasks.payouts_schedule", "schedule": 60 * 60},
    "payouts-payments-sweep": {"task": "accounting.payouts.tasks.payout_payments_sweep", "schedule": 60},
    "xero-reconcile-nightly": {
        "task": "accounting.reconcile.tasks.xero_reconcile_nightly_all",
        "schedule": crontab(hour=2, minute=30),
    },
    "sync-digest-daily": {"task": "accounting.sync.tasks.sync_digest_all", "schedule": crontab(hour=7, minute=0)},
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Onport <no-reply@onport.local>")

# Xero: the defaults are the real Xero; the sandbox and the tests point these elsewhere.
XERO_CLIENT_ID = env("XERO_CLIENT_ID", default="")
XERO_CLIENT_SECRET = env("XERO_CLIENT_SECRET", default="")
XERO_AUTHORIZE_URL = env("XERO_AUTHORIZE_URL", default="https://login.xero.com/identity/connect/authorize")
XERO_TOKEN_URL = env("XERO_TOKEN_URL", default="https://identity.xero.com/connect/token")
XERO_REVOKE_URL = env("XERO_REVOKE_URL", default="https://identity.xero.com/connect/revocation")
XERO_API_BASE = env("XERO_API_BASE", default="https://api.xero.com").rstrip("/")
# The webhook signing key from Xero's developer portal; empty: every webhook answers 401.
XERO_WEBHOOK_KEY = env("XERO_WEBHOOK_KEY", default="onport-sandbox-webhook-key" if DEBUG else "")
# Apps created before March 2026 may still ask for the broad accounting.transactions scope.
XERO_LEGACY_SCOPES = env.bool("XERO_LEGACY_SCOPES", default=False)
# Xero's limits, shared by all workers through Redis: per organisation 60 calls a rolling minute, 5 in
# flight (also how many batches of one organisation are sent at once) and 5,000 a day (1,000 on Xero's
# smaller tiers); per app 10,000 a minute across all organisations.
XERO_CALLS_PER_MINUTE = env.int("XERO_CALLS_PER_MINUTE", default=60)
XERO_CONCURRENT_CALLS = env.int("XERO_CONCURRENT_CALLS", default=5)
XERO_RATE_WINDOW_SECONDS = env.float("XERO_RATE_WINDOW_SECONDS", default=60.0)
XERO_RATE_WINDOW_MARGIN = env.float("XERO_RATE_WINDOW_MARGIN", default=1.0)  # Xero counts a call on arrival
XERO_CALLS_PER_DAY = env.int("XERO_CALLS_PER_DAY", default=5000)
XERO_APP_CALLS_PER_MINUTE = env.int("XERO_APP_CALLS_PER_MINUTE", default=10000)
# What background work leaves for people: a backfill stops this many calls short of the day limit
# (automatic syncs a fifth of it), and background calls leave this much of the app's minute.
XERO_DAY_RESERVE = env.int("XERO_DAY_RESERVE", default=500)
XERO_APP_RESERVE = env.int("XERO_APP_RESERVE", default=200)
# background calls take at most 1/12 of the app's minute in any twelfth of it (5 s): the window frees evenly
XERO_APP_PACE_SLICES = env.int("XERO_APP_PACE_SLICES", default=12)
XERO_DRAIN_LOCK_SECONDS = env.int("XERO_DRAIN_LOCK_SECONDS", default=300)  # a dead drain frees its slot after this
# A drain gives its worker back after this long (other organisations' work is queued behind it), and
# waits at most this long for a call slot before coming back when the budget frees.
XERO_DRAIN_TURN_SECONDS = env.float("XERO_DRAIN_TURN_SECONDS", default=30.0)
XERO_DRAIN_MAX_WAIT = env.float("XERO_DRAIN_MAX_WAIT", default=5.0)
# How long to wait for Xero to answer a write before treating its outcome as unknown.
XERO_TIMEOUT_SECONDS = env.float("XERO_TIMEOUT_SECONDS", default=60.0)
# How long a sync worker holds the bills it is sending; a worker that dies is noticed after this.
SYNC_LEASE_SECONDS = env.int("SYNC_LEASE_SECONDS", default=120)
# PKCE on top of the client secret; whether Xero accepts it from web apps is unconfirmed, so opt in.
XERO_PKCE = env.bool("XERO_PKCE", default=False)

# LOG_FORMAT=json: one JSON object a line, with the `extra=` fields of onport.xero (a line per Xero call) and
# onport.sync (a line per drain batch) as keys; the default stays plain text for people.
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden_without_traceback": {"()": "onport.log_filters.ForbiddenWithoutTraceback"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json" if LOG_FORMAT == "json" else "text"}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # axes writes a line for every login (masked): its warnings (failures, lockouts) are what operators want.
    "loggers": {"django.request": {"filters": ["forbidden_without_traceback"]}, "axes": {"level": "WARNING"}},
}
# Celery replaces the root logger's handlers with its own unless told not to: JSON lines must stay JSON.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

# GET /metrics (onport/metrics.py) answers a scrape with `Authorization: Bearer <METRICS_TOKEN>`; unset, only
# under DEBUG. PROMETHEUS_MULTIPROC_DIR (read by prometheus_client itself) sums counters over processes.
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# Errors to Sentry only when SENTRY_DSN is set (onport/sentry.py: no personal data, no credentials).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from onport.sentry import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
