"""A small aiohttp app using the real aiohttp-session, for the interop tests.

Sub-apps per storage, each with its own session middleware:
  /redis, /memcached, /fernet           max_age = LONG (600 s)
  /redis-short, /memcached-short, /fernet-short   max_age = SHORT (2 s)
Routes of each: GET /get, POST /set (JSON {key: value}), POST /login
(JSON {user}), POST /logout. Every answer is the session as JSON.
GET /inspect and POST /put (like /set) answer with what Python holds, spelled
so that no type is lost on the way to JavaScript: repr() of the session,
json.dumps of it, and every value's type (see describe()). GET /depth: how
deeply the session's values nest.

Usage: app.py PORT REDIS_URL MEMCACHED_HOST:PORT FERNET_KEY [FERNET_KEY_SHORT]
Prints "ready" once listening."""
import asyncio
import json
import math
import sys

import redis.asyncio as aioredis_compat
from aiohttp import web
from aiohttp_session import get_session, new_session, setup
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from aiohttp_session.memcached_storage import MemcachedStorage
from aiohttp_session.redis_storage import RedisStorage

import aiomcache

LONG = 600
SHORT = 2


def answer(session):
    return web.json_response(
        {"new": session.new, "created": session.created, "data": dict(session)}
    )


def describe(value):
    """A value with its exact Python type, as JSON that JavaScript reads losslessly."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return [type(value).__name__, value]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, float):
        # repr() tells -0.0, nan and inf apart; the sign and NaN-ness as Python tests them.
        return ["float", repr(value), math.copysign(1, value), math.isnan(value)]
    if isinstance(value, list):
        return ["list", [describe(item) for item in value]]
    if isinstance(value, dict):
        return ["dict", [[key, describe(item)] for key, item in value.items()]]
    return [type(value).__name__, repr(value)]


def inspect(session):
    data = dict(session)
    return web.json_response(
        {"new": session.new, "repr": repr(data), "dumps": json.dumps(data), "types": describe(data)}
    )


async def get_depth(request):
    """How deeply lists and dicts nest in the session (counted without recursion)."""
    session = await get_session(request)
    deepest, stack = 0, [(dict(session), 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        items = value.values() if isinstance(value, dict) else value
        stack.extend((item, depth + 1) for item in items if isinstance(item, (list, dict)))
    return web.json_response({"new": session.new, "depth": deepest})


async def get_inspect(request):
    return inspect(await get_session(request))


async def put(request):
    session = await get_session(request)
    for key, value in (await request.json()).items():
        session[key] = value
    return inspect(session)


async def get(request):
    return answer(await get_session(request))


async def set_values(request):
    session = await get_session(request)
    for key, value in (await request.json()).items():
        if value is None:
            session.pop(key, None)
        else:
            session[key] = value
    return answer(session)


async def login(request):
    body = await request.json()
    session = await new_session(request)
    session["user"] = body["user"]
    return answer(session)


async def logout(request):
    session = await get_session(request)
    session.invalidate()
    return answer(session)


def sub_app(storage):
    app = web.Application()
    setup(app, storage)
    app.router.add_get("/get", get)
    app.router.add_post("/set", set_values)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/inspect", get_inspect)
    app.router.add_get("/depth", get_depth)
    app.router.add_post("/put", put)
    return app


async def main():
    port, redis_url, memcached, fernet_key = sys.argv[1:5]
    mc_host, mc_port = memcached.rsplit(":", 1)
    redis = aioredis_compat.from_url(redis_url)
    mc = aiomcache.Client(mc_host, int(mc_port))
    root = web.Application()
    for suffix, max_age in (("", LONG), ("-short", SHORT)):
        root.add_subapp(f"/redis{suffix}/", sub_app(RedisStorage(redis, max_age=max_age)))
        root.add_subapp(f"/memcached{suffix}/", sub_app(MemcachedStorage(mc, max_age=max_age)))
        root.add_subapp(
            f"/fernet{suffix}/", sub_app(EncryptedCookieStorage(fernet_key, max_age=max_age))
        )
    runner = web.AppRunner(root, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(port)).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
