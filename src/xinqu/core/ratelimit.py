"""A sliding-window limit per key: at most ``limit`` hits in any ``seconds``.

The window slides: each hit is remembered with its time for exactly ``seconds``, so "5 filings in
ten minutes" means ten minutes from each filing, on every cache backend. (``cache.incr`` rewrites
the entry with the backend's default timeout on the file and database caches, which had reset the
public filing limit after five minutes.)
"""

from __future__ import annotations

import time

from django.core.cache import cache


def hit(key: str, *, limit: int, seconds: int) -> bool:
    """Count one hit on ``key``; False, counting nothing, when the limit is already reached."""
    now = time.time()
    recent = [t for t in cache.get(key, []) if t > now - seconds]
    if len(recent) >= limit:
        return False
    recent.append(now)
    # The entry lives as long as its newest hit needs remembering.
    cache.set(key, recent, timeout=seconds)
    return True
