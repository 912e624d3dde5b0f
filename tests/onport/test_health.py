"""GET /healthz against the real database, Redis and broker: up, and one of them down (a dead port)."""

import pytest
from django.test import Client

from onport.celery import app as celery_app

pytestmark = pytest.mark.django_db
DEAD_REDIS = "redis://:hunter2@127.0.0.1:1/0"  # nothing listens on port 1; the password must not leak


@pytest.fixture(autouse=True)
def redis_required(settings):
    if not settings.REDIS_URL:
        pytest.skip("the checks of Redis and the broker need REDIS_URL")


def test_everything_up_answers_200_without_login_or_account():
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "broker": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_a_dead_redis_answers_503_naming_the_check_and_nothing_secret(settings):
    settings.REDIS_URL = DEAD_REDIS

    response = Client().get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["checks"]["redis"].startswith("error: ")
    assert body["checks"]["database"] == "ok" and body["checks"]["broker"] == "ok"
    assert "hunter2" not in response.content.decode() and "127.0.0.1" not in response.content.decode()


def test_a_dead_broker_answers_503():
    url = celery_app.conf.broker_url
    celery_app.conf.broker_url = DEAD_REDIS
    try:
        response = Client().get("/healthz")
    finally:
        celery_app.conf.broker_url = url

    assert response.status_code == 503 and response.json()["checks"]["broker"].startswith("error: ")
    assert "hunter2" not in response.content.decode()


def test_get_only_and_exempt_from_the_https_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()

    assert client.get("/healthz").status_code == 200
    assert client.get("/login/").status_code == 301  # everything else still goes to HTTPS
    assert client.post("/healthz").status_code == 405
