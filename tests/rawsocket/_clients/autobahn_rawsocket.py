"""autobahn-python (Debian's python3-autobahn) over RawSocket, defaults only.

Uses the Twisted flavour: the asyncio RawSocket client of autobahn 22.7
fails on WELCOME ("'WampRawSocketClientProtocol' object has no attribute
'transport_details'"), a bug of that client.

Usage: autobahn_rawsocket.py MODE URL SERIALIZER|default REALM [UNIX_PATH]

MODE selftest: register, call, subscribe, publish (acknowledged, not
excluding itself), print one JSON line with what came back, leave.
MODE callee: register com.test.py.echo and com.test.py.publish, subscribe
to com.test.to_py, print READY, then one "EVENT <json>" line per event;
runs until stdin closes.
"""
import json
import os
import sys

from autobahn.twisted.component import Component, run
from autobahn.wamp.types import PublishOptions
from twisted.internet import defer, reactor, stdio
from twisted.protocols.basic import LineReceiver

mode, url, serializer, realm = sys.argv[1:5]
unix_path = sys.argv[5] if len(sys.argv) > 5 else None

transport = {"type": "rawsocket", "url": url, "max_retries": 0}
if serializer != "default":  # "default": autobahn's own choice
    transport["serializer"] = serializer
if unix_path:
    transport["endpoint"] = {"type": "unix", "path": unix_path}

component = Component(transports=[transport], realm=realm)


def out(line):
    # Straight to fd 1: Twisted's logging takes over sys.stdout.
    os.write(1, (line + "\n").encode())


class StdinWatch(LineReceiver):
    """Leaves the session when stdin closes."""

    delimiter = b"\n"

    def __init__(self, session):
        self.session = session

    def lineReceived(self, line):
        pass

    def connectionLost(self, reason):
        self.session.leave()


@component.on_join
@defer.inlineCallbacks
def joined(session, details):
    if mode == "selftest":
        try:
            yield selftest(session, details)
        except Exception as error:
            out(json.dumps({"error": repr(error)}))
        yield session.leave()
    else:
        yield callee(session)


@defer.inlineCallbacks
def selftest(session, details):
    # Own names: several selftests may share the router at once.
    procedure = "com.test.add2.%d" % details.session
    topic = "com.test.topic.%d" % details.session
    got = defer.Deferred()
    yield session.register(lambda a, b: a + b, procedure)
    total = yield session.call(procedure, 2, 2 ** 53 - 3)

    def on_event(*args, **kwargs):
        if not got.called:
            got.callback({"args": list(args), "kwargs": kwargs})

    yield session.subscribe(on_event, topic)
    yield session.publish(topic, "hello", n=7,
                          options=PublishOptions(acknowledge=True,
                                                 exclude_me=False))
    event = yield got
    out(json.dumps({"sum": total, "event": event,
                    "session": details.session,
                    "session_is_int": isinstance(details.session, int),
                    "serializer": serializer}))


@defer.inlineCallbacks
def callee(session):
    @defer.inlineCallbacks
    def publish(topic, value):
        yield session.publish(topic, value,
                              options=PublishOptions(acknowledge=True))
        return "published"

    yield session.register(lambda x: ["py", x], "com.test.py.echo")
    yield session.register(publish, "com.test.py.publish")
    yield session.subscribe(
        lambda *a, **k: out("EVENT " + json.dumps(list(a))),
        "com.test.to_py")
    stdio.StandardIO(StdinWatch(session))
    out("READY")


@component.on_leave
def left(session, details):
    if details.reason not in ("wamp.close.normal",
                              "wamp.close.goodbye_and_out"):
        out("LEFT " + json.dumps({"reason": details.reason,
                                  "message": details.message}))


if __name__ == "__main__":
    run([component], log_level="warn")
