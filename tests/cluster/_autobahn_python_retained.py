"""autobahn-python (Debian's python3-autobahn) as a late subscriber, for
tests/cluster/retained_test.ts.

    /usr/bin/python3 _autobahn_python_retained.py URL TOPIC

Joins realm1 with autobahn's default serializers, subscribes to TOPIC with
get_retained, prints one JSON line for the first event (args, kwargs,
whether it was retained) and leaves. Gives up
after 20 s.
"""

import asyncio
import json
import sys
from urllib.parse import urlparse

from autobahn.asyncio.wamp import ApplicationSession
from autobahn.asyncio.websocket import WampWebSocketClientFactory
from autobahn.wamp.types import ComponentConfig, SubscribeOptions


class Late(ApplicationSession):
    async def onJoin(self, details):
        def on_event(*args, details=None, **kwargs):
            event = {"args": list(args), "kwargs": kwargs}
            event["retained"] = bool(details.retained)
            print(json.dumps(event), flush=True)
            self.leave()

        await self.subscribe(
            on_event,
            sys.argv[2],
            SubscribeOptions(get_retained=True, details_arg="details"),
        )

    def onDisconnect(self):
        asyncio.get_running_loop().stop()


def main(url):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    factory = WampWebSocketClientFactory(
        lambda: Late(ComponentConfig("realm1")), url=url
    )
    parsed = urlparse(url)
    loop.run_until_complete(
        loop.create_connection(factory, parsed.hostname, parsed.port)
    )
    loop.call_later(20, loop.stop)
    loop.run_forever()


main(sys.argv[1])
