"""The shared cache on Redis (settings.CACHES with REDIS_URL: django-redis), against the throwaway
Redis of .ci/test-all: the throttles count there, separate clients (as separate processes) see
the same counts, and /healthz checks it. The database cache (the default) is what the rest of
the suite runs on."""

import os

import pytest
import redis
from django.core.cache import caches
from django.test import Client

from branches.throttles import Throttle
from tests.config.helpers import attempt_login
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def redis_url():
    url = os.environ.get("SHUPING_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("no SHUPING_TEST_REDIS_URL in CI (.ci/test-all starts a throwaway Redis)", pytrace=False)
        pytest.skip("no SHUPING_TEST_REDIS_URL: run through .ci/test-all, which starts a throwaway Redis")
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def on_redis(settings, redis_url):
    backend = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": "shuping"}
    # "other": a second client with its own connection pool, as another process would have.
    settings.CACHES = {"default": backend, "other": {**backend}}
    return redis_url


def test_settings_choose_redis_when_redis_url_is_set(load_settings):
    assert load_settings(REDIS_URL="redis://cache.internal:6379/0").CACHES["default"]["BACKEND"] == (
        "django_redis.cache.RedisCache"
    )
    assert load_settings(REDIS_URL="").CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def test_throttle_counts_in_redis_seen_by_another_client(on_redis):
    throttle = Throttle("test", limit=3, window=60)
    assert [throttle.hit("10.0.0.1") for _ in range(3)] == [1, 2, 3]
    assert throttle.exceeded("10.0.0.1") and not throttle.exceeded("10.0.0.2")
    keys = redis.Redis.from_url(on_redis).keys("shuping:*throttle:test:*")
    assert len(keys) == 1 and b"10.0.0.1" not in keys[0]  # a keyed digest, not the address
    key = keys[0].decode().split(":", 2)[2]  # without django's "prefix:version:"
    other = caches["other"]
    assert other.get(key) == 3 and 0 < other.ttl(key) <= 60


@pytest.mark.django_db
def test_login_spraying_is_stopped_with_the_counter_in_redis(client, on_redis, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    UserFactory(username="wang")
    for number in range(3):
        assert attempt_login(client, f"nobody{number}", "x").status_code == 200
    assert attempt_login(client, "wang", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_healthz_checks_redis(on_redis):
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json()["checks"]["cache"] == "ok"
