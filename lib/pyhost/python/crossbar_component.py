"""Runs one Python WAMP component of a crossbar-deno node, unchanged, with
autobahn-python's own runner (``autobahn.asyncio.component``).

Arguments: a JSON object with ``module``, ``class``, ``realm``, ``extra`` and
``transport`` (an autobahn transport config: the node's private unix socket,
or the container component's own transport). Prints
``crossbar-component: ready`` once ``onJoin`` has finished; a failing
``onJoin`` prints its traceback and exits with code 2.
"""

import importlib
import inspect
import json
import os
import sys
import traceback

import asyncio

from autobahn.asyncio.component import Component
from autobahn.asyncio.rawsocket import WampRawSocketClientProtocol

# autobahn 22.7's asyncio RawSocket client lacks the attribute its session
# reads on WELCOME (a bug of that release); the details it would carry are
# optional, so give it none.
if not hasattr(WampRawSocketClientProtocol, "transport_details"):
    WampRawSocketClientProtocol.transport_details = None

spec = json.loads(sys.argv[1])
cls = getattr(importlib.import_module(spec["module"]), spec["class"])


class _Supervised(cls):
    """The configured class, reporting the end of its onJoin to the node."""

    async def onJoin(self, details):
        try:
            result = super().onJoin(details)
            if inspect.isawaitable(result):
                await result
        except Exception:
            traceback.print_exc()
            sys.stderr.flush()
            os._exit(2)
        os.write(1, b"crossbar-component: ready\n")


transport = dict(spec["transport"])
transport.setdefault("max_retries", 0)
component = Component(
    transports=[transport],
    realm=spec["realm"],
    session_factory=_Supervised,
    extra=spec.get("extra"),
)

if __name__ == "__main__":
    # autobahn's own run() uses @asyncio.coroutine, gone since Python 3.11:
    # drive the Component on a loop of our own instead.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(component.start(loop))
