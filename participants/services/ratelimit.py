"""Rate limits counted in the cache that every process shares (Redis, or the database cache)."""

import hashlib
import time

from django.core.cache import cache


def rate_limit_exceeded(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt for ``key`` (an address, say) in ``scope``; True once over ``limit``.

    Fixed windows: simple and shared by all web processes. The key is hashed, so no address or
    e-mail is stored in the cache in clear.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    window = int(time.time() // window_seconds)
    cache_key = f"ratelimit:{scope}:{digest}:{window}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count > limit
