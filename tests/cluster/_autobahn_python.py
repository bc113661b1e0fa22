"""autobahn-python (Debian's python3-autobahn) as a callee and subscriber
on one cluster node, for tests/cluster/python_test.ts.

    /usr/bin/python3 _autobahn_python.py URL

Joins realm1 with autobahn's default serializers, registers
com.cluster.py.count (progressive results) and com.cluster.py.fail (an
ApplicationError with args and kwargs), subscribes com.cluster.py.topic,
prints READY <session id>, then one JSON line per event, until stdin
closes.
"""

import asyncio
import json
import sys
from urllib.parse import urlparse

from autobahn.asyncio.wamp import ApplicationSession
from autobahn.asyncio.websocket import WampWebSocketClientFactory
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import ComponentConfig, RegisterOptions


class Node(ApplicationSession):
    def onUserError(self, fail, msg):
        # com.cluster.py.fail raises on purpose; autobahn would log it.
        if not isinstance(fail.value, ApplicationError):
            super().onUserError(fail, msg)

    async def onJoin(self, details):
        async def count(n, details=None):
            for i in range(1, n + 1):
                if details is not None and details.progress:
                    details.progress(i)
            return n * (n + 1) // 2

        def fail():
            raise ApplicationError("com.cluster.py.oops", "from python", code=7)

        def on_event(*args, **kwargs):
            print(json.dumps({"args": list(args), "kwargs": kwargs}), flush=True)

        await self.register(
            count, "com.cluster.py.count", RegisterOptions(details_arg="details")
        )
        await self.register(fail, "com.cluster.py.fail")
        await self.subscribe(on_event, "com.cluster.py.topic")
        print(f"READY {details.session}", flush=True)


async def main(url):
    loop = asyncio.get_running_loop()
    factory = WampWebSocketClientFactory(
        lambda: Node(ComponentConfig("realm1")), url=url
    )
    parsed = urlparse(url)
    await loop.create_connection(factory, parsed.hostname, parsed.port)
    await loop.run_in_executor(None, sys.stdin.read)


asyncio.run(main(sys.argv[1]))
