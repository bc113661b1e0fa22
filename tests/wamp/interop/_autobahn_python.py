"""autobahn-python (Debian's python3-autobahn) against our router.

Run by the interop tests with /usr/bin/python3:

    _autobahn_python.py checks URL      one JSON line per serializer offer
    _autobahn_python.py callee URL      registers com.interop.py.greet, prints
                                        READY, serves until stdin closes

Every client is built the way autobahn-python's docs build one, with its
defaults; the "default" offer passes no serializers at all (autobahn then
offers cbor.batched, cbor, msgpack.batched, msgpack, ubjson…, json.batched,
json, comma-separated without spaces). The Deno side asserts on the
reported facts.
"""

import asyncio
import json
import sys
from urllib.parse import urlparse

from autobahn.asyncio.wamp import ApplicationSession
from autobahn.asyncio.websocket import WampWebSocketClientFactory
from autobahn.wamp import auth
from autobahn.wamp.serializer import (
    CBORSerializer,
    JsonSerializer,
    MsgPackSerializer,
)
from autobahn.wamp.types import ComponentConfig, PublishOptions

REALM = "realm1"
BIG = 2**53 - 1


async def connect(url, serializers=None, authid=None, password=None):
    """Joins REALM; returns (session, negotiated subprotocol)."""
    loop = asyncio.get_running_loop()
    joined = loop.create_future()

    class Client(ApplicationSession):
        def onConnect(self):
            if authid is None:
                self.join(REALM)
            else:
                self.join(REALM, authmethods=["wampcra"], authid=authid)

        def onChallenge(self, challenge):
            extra = challenge.extra
            key = password
            if "salt" in extra:
                key = auth.derive_key(
                    password, extra["salt"], extra["iterations"], extra["keylen"]
                )
            return auth.compute_wcs(key, extra["challenge"])

        def onJoin(self, details):
            if not joined.done():
                joined.set_result(self)

        def onLeave(self, details):
            if not joined.done():
                joined.set_exception(RuntimeError(f"left: {details.reason} {details.message}"))
            self.disconnect()

    factory = WampWebSocketClientFactory(
        lambda: Client(ComponentConfig(REALM)), url=url, serializers=serializers
    )
    parsed = urlparse(url)
    _, protocol = await loop.create_connection(factory, parsed.hostname, parsed.port)
    session = await asyncio.wait_for(joined, 10)
    return session, protocol.websocket_protocol_in_use


async def leave(session):
    done = asyncio.get_running_loop().create_future()
    session.onDisconnect = lambda: done.done() or done.set_result(None)
    await session.leave()
    await asyncio.wait_for(done, 10)


async def exercise(url, name, serializers):
    """Join, register, call, subscribe, publish, meta API: one report."""
    session, protocol = await connect(url, serializers)
    report = {"offer": name, "protocol": protocol}
    report["session_id_type"] = type(session.session_id).__name__

    def echo(*args):
        return list(args)

    registration = await session.register(echo, f"com.interop.echo.{name}")
    report["registration_id_type"] = type(registration.id).__name__
    values = [BIG, -BIG, 2**32, 7, 1.5, "text", b"\x00\x01\xff"]
    result = await session.call(f"com.interop.echo.{name}", *values)
    report["echo_types"] = [type(v).__name__ for v in result]
    report["echo_equal"] = list(result) == values

    got = asyncio.get_running_loop().create_future()
    subscription = await session.subscribe(
        lambda *args: got.done() or got.set_result(list(args)),
        f"com.interop.topic.{name}",
    )
    report["subscription_id_type"] = type(subscription.id).__name__
    publication = await session.publish(
        f"com.interop.topic.{name}",
        BIG,
        "hello",
        options=PublishOptions(acknowledge=True, exclude_me=False),
    )
    report["publication_id_type"] = type(publication.id).__name__
    report["event"] = await asyncio.wait_for(got, 10)
    report["event_types"] = [type(v).__name__ for v in report["event"]]

    details = await session.call("wamp.session.get", session.session_id)
    report["meta_keys"] = sorted(details.keys())
    report["meta_realm"] = details.get("realm")
    report["meta_transport_protocol"] = details["transport"].get("protocol")
    await leave(session)
    return report


async def checks(url):
    offers = [
        ("default", None),
        ("json", [JsonSerializer()]),
        ("msgpack", [MsgPackSerializer()]),
        ("cbor", [CBORSerializer()]),
        ("json_batched", [JsonSerializer(batched=True)]),
    ]
    for name, serializers in offers:
        print(json.dumps(await exercise(url, name, serializers)), flush=True)
    # Crossbar's documented salted WAMP-CRA user: the password is "secret1".
    sally, protocol = await connect(url, authid="sally", password="secret1")
    print(json.dumps({"offer": "wampcra", "authid": sally._authid,
                      "authrole": sally._authrole, "protocol": protocol}), flush=True)
    await leave(sally)
    try:
        await connect(url, authid="sally", password="wrong")
        print(json.dumps({"offer": "wampcra_wrong", "joined": True}), flush=True)
    except RuntimeError as error:
        print(json.dumps({"offer": "wampcra_wrong", "joined": False,
                          "error": str(error)}), flush=True)


async def callee(url):
    session, _ = await connect(url)

    def greet(name):
        return f"hello {name} from python ({session.session_id})"

    await session.register(greet, "com.interop.py.greet")
    print(json.dumps({"ready": True, "session": session.session_id}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    await leave(session)


def main():
    mode, url = sys.argv[1], sys.argv[2]
    asyncio.run(checks(url) if mode == "checks" else callee(url))


if __name__ == "__main__":
    main()
