"""frontdoor.redis_cache: Django's Redis cache with one redis-py client kept per connection
pool, rather than a new one built for every operation (docs/PERFORMANCE.md)."""

import os

import pytest
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

from frontdoor.redis_cache import RedisCache

BROKER = os.environ.get("CELERY_BROKER_URL", "")


@pytest.fixture
def cache():
    if not BROKER.startswith("redis://"):
        pytest.skip("needs the Redis that CELERY_BROKER_URL names (make test gives it)")
    host = BROKER.rsplit("/", 1)[0]
    backend = RedisCache(f"{host}/14", {"KEY_PREFIX": "frontdoor-test-cache"})
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
