"""frontdoor.redis_cache: Django's Redis cache with one redis-py client kept per connection
pool, rather than a new one built for every operation (docs/PERFORMANCE.md)."""

import json
import os
import pickle

import pytest
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

from frontdoor.redis_cache import RedisCache

BROKER = os.environ.get("CELERY_BROKER_URL", "")


@pytest.fixture
def cache():
    if not BROKER.startswith("redis://"):
        pytest.skip("needs the Redis that CELERY_BROKER_URL names (make test gives it)")
    host = BROKER.rsplit("/", 1)[0]
    options = {"serializer": "frontdoor.redis_cache.JSONSerializer"}
    backend = RedisCache(f"{host}/14", {"KEY_PREFIX": "frontdoor-test-cache", "OPTIONS": options})
    yield backend
    backend.clear()


def test_values_go_in_and_come_out_as_with_djangos_cache(cache):
    cache.set("rate", [1.5, 2.5], 30)
    assert cache.get("rate") == [1.5, 2.5]
    assert cache.add("rate", "other", 30) is False
    assert cache.add("count", 1, 30) is True
    assert cache.incr("count") == 2
    cache.delete("rate")
    assert cache.get("rate") is None


def test_one_client_is_kept_for_the_pool_and_reused(cache):
    client = cache._cache.get_client(write=True)

    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client  # one server: reads go to the same pool
    # Django's own builds a new client object every time.
    django_client = DjangoRedisCacheClient(cache._servers)
    assert django_client.get_client() is not django_client.get_client()


def test_production_keeps_json_in_redis_never_pickle(tmp_path):
    """The settings' cache in production (FRONTDOOR_CACHE_URL: Redis) names the JSON
    serializer."""
    from tests.frontdoor.test_settings import PRODUCTION_LIKE, run_django

    result = run_django(
        "from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['OPTIONS']['serializer'])",
        tmp_path,
        **PRODUCTION_LIKE,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "frontdoor.redis_cache.RedisCache",
        "frontdoor.redis_cache.JSONSerializer",
    ]


def test_what_is_kept_is_json_and_whole_numbers_stay_redis_integers(cache):
    session = {"_auth_user_id": "7", "_auth_user_backend": "x", "last_seen": 1780000000}
    cache.set("session", session, 30)
    cache.set("count", 3, 30)
    raw = cache._cache.get_client()

    assert json.loads(raw.get(cache.make_and_validate_key("session"))) == session
    assert raw.get(cache.make_and_validate_key("count")) == b"3"
    assert cache.get("session") == session
    assert cache.incr("count") == 4
    assert cache.get("flag") is None
    cache.set("flag", True, 30)
    assert cache.get("flag") is True


class Payload:
    ran = False

    def __reduce__(self):
        return (Payload.run, ())

    @staticmethod
    def run():
        Payload.ran = True
        return "ran"


def test_a_pickle_planted_in_redis_is_never_unpickled(cache):
    """Someone able to write to Redis cannot make a web process run code by planting a
    pickle where a value is read: it is refused as not JSON."""
    key = cache.make_and_validate_key("session")
    cache._cache.get_client(write=True).set(key, pickle.dumps(Payload()))

    with pytest.raises(ValueError):
        cache.get("session")
    assert Payload.ran is False


def test_a_value_json_cannot_hold_is_refused_when_written(cache):
    with pytest.raises(TypeError):
        cache.set("object", object(), 30)
    with pytest.raises(ValueError):
        cache.set("nan", float("nan"), 30)
