"""aiohttp-session 2.11 imports `aioredis` (2.x); redis-py's `redis.asyncio` is
that same API (aioredis 2 was merged into redis-py 4.2), so re-export it.
Test-only: put this directory on PYTHONPATH."""
from redis.asyncio import *  # noqa: F401,F403
from redis.asyncio import Redis  # noqa: F401

__version__ = "2.0.1"
