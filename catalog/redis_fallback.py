"""Redis lost while the site runs: pages keep working, degraded, and the log says so.

At start a configured Redis that does not answer stops the server (catalog/startup.py): better no
site than one whose limits and cache silently split per process. Once running, a Redis outage
must not turn every page into a 500, so:
- the cache (Flask-Caching: page fragments, statistics) treats every Redis error as a miss and
  stores nothing; pages are built from the database until Redis answers again;
- the rate limiter (Flask-Limiter) falls back to per-process memory (RATELIMIT_IN_MEMORY_FALLBACK_*,
  set in config.py), so log-in limits still hold, per app process instead of site-wide.
Each outage is logged once as a warning when it starts and once when Redis answers again.
"""

import logging
import threading
import time

from flask_caching.backends.rediscache import RedisCache

log = logging.getLogger("catalog.redis")

# How long after an error the cache stops asking Redis: a dead server's connect timeout on every
# fragment of every page would make pages slow instead of merely uncached.
RETRY_AFTER_SECONDS = 5
# Connect/read timeouts for the cache's and the limiter's Redis clients.
SOCKET_TIMEOUT_SECONDS = 1


class _Outage:
    """Shared state of one process's view of Redis: down since when, warned or not."""

    def __init__(self):
        self._lock = threading.Lock()
        self.down_since: float | None = None

    def failed(self, error: Exception) -> None:
        with self._lock:
            first = self.down_since is None
            self.down_since = time.monotonic()
        if first:
            log.warning("Redis is unreachable (%s: %s); serving without the shared cache until it answers again",
                        type(error).__name__, error)

    def succeeded(self) -> None:
        if self.down_since is None:
            return
        with self._lock:
            recovered = self.down_since is not None
            self.down_since = None
        if recovered:
            log.warning("Redis answers again; the shared cache is back")

    def skip(self) -> bool:
        """True while a recent error says asking Redis again would only wait for a timeout."""
        since = self.down_since
        return since is not None and time.monotonic() - since < RETRY_AFTER_SECONDS


outage = _Outage()


def _tolerant(method_name: str, fallback):
    def method(self, *args, **kwargs):
        import redis

        if outage.skip():
            return fallback
        try:
            result = getattr(RedisCache, method_name)(self, *args, **kwargs)
        except redis.RedisError as error:
            outage.failed(error)
            return fallback
        outage.succeeded()
        return result

    method.__name__ = method_name
    return method


class TolerantRedisCache(RedisCache):
    """Flask-Caching's RedisCache where an unreachable Redis is a cache miss, not an exception.

    Selected by CACHE_TYPE = "catalog.redis_fallback.TolerantRedisCache" when REDIS_URL is set."""

    get = _tolerant("get", None)
    has = _tolerant("has", False)
    set = _tolerant("set", False)
    add = _tolerant("add", False)
    set_many = _tolerant("set_many", [])
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many", [])
    clear = _tolerant("clear", False)
    inc = _tolerant("inc", None)
    dec = _tolerant("dec", None)

    def get_many(self, *keys):  # a miss per key, not one None
        import redis

        if outage.skip():
            return [None] * len(keys)
        try:
            values = RedisCache.get_many(self, *keys)
        except redis.RedisError as error:
            outage.failed(error)
            return [None] * len(keys)
        outage.succeeded()
        return values
