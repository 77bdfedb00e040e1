"""A minimal asyncio memcached client with the calls aiohttp-session's
MemcachedStorage makes (`get`, `set`, `delete`), standing in for aiomcache,
which Debian does not package. Test-only: put this directory on PYTHONPATH."""
import asyncio


class ClientException(Exception):
    pass


class Client:
    def __init__(self, host, port=11211, *, pool_size=2, **_kwargs):
        self._host = host
        self._port = port

    async def _call(self, command: bytes, payload: bytes = b"") -> bytes:
        reader, writer = await asyncio.open_connection(self._host, self._port)
        try:
            writer.write(command + b"\r\n" + (payload + b"\r\n" if payload else b""))
            await writer.drain()
            if command.startswith(b"get "):
                header = await reader.readline()
                if header == b"END\r\n":
                    return b""
                if not header.startswith(b"VALUE "):
                    raise ClientException(header)
                length = int(header.split()[3])
                data = await reader.readexactly(length + 2)
                await reader.readline()  # END
                return data[:-2]
            return await reader.readline()
        finally:
            writer.close()
            await writer.wait_closed()

    async def get(self, key: bytes, default=None):
        value = await self._call(b"get " + key)
        return default if value == b"" else value

    async def set(self, key: bytes, value: bytes, exptime: int = 0) -> bool:
        reply = await self._call(b"set %s 0 %d %d" % (key, exptime, len(value)), value)
        return reply == b"STORED\r\n"

    async def delete(self, key: bytes) -> bool:
        return (await self._call(b"delete " + key)) == b"DELETED\r\n"

    async def close(self):
        pass
