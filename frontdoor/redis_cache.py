"""Django's Redis cache, keeping one redis-py client per connection pool.

Django's RedisCacheClient makes a new ``redis.Redis`` object over its pool for every
operation (``get_client``); building one cost about half of a throttle check's 0.9 ms of
CPU here (cProfile; docs/PERFORMANCE.md, "The fifth national run"), and every request the
API and page rates count makes two operations. A client object holds no
connection of its own (the pool does, and redis-py's pool starts afresh in a forked
process) and is safe to share between threads, so one per pool is kept and reused."""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
