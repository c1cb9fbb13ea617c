"""Django's Redis cache, keeping one redis-py client per connection pool.

Django's RedisCacheClient makes a new ``redis.Redis`` object over its pool for every
operation (``get_client``); building one cost about half of a throttle check's 0.9 ms of
CPU here (cProfile; docs/PERFORMANCE.md, "The fifth national run"), and every request the
API and page rates count makes two operations. A client object holds no
connection of its own (the pool does, and redis-py's pool starts afresh in a forked
process) and is safe to share between threads, so one per pool is kept and reused.

What it keeps is JSON, never pickle (``JSONSerializer``): Django's own serializer pickles
every value but a whole number, and unpickling runs whatever code the bytes name, so
anyone able to write to Redis (a leaked password, a neighbour on a shared instance)
could run code in every web process and worker that read the key. Values are what JSON
holds (a session's data, which Django already keeps as JSON; the rates' lists of times;
tokens and flags); whole numbers are kept as Redis integers, as Django keeps them, so
that ``incr`` still works on them."""

from __future__ import annotations

import json

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class JSONSerializer:
    """Django's RedisSerializer, with JSON in place of pickle. A value JSON cannot hold is
    refused when it is written (TypeError), never turned into something else."""

    def dumps(self, obj):
        # Whole numbers as Redis integers (incr, decr); bool, a subclass, as JSON.
        if type(obj) is int:
            return obj
        return json.dumps(obj, separators=(",", ":"), allow_nan=False).encode()

    def loads(self, data):
        try:
            return int(data)
        except ValueError:
            return json.loads(data)


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
