"""Calls com.example.add2 with autobahn-python's own ApplicationRunner and
prints the result; the URL and realm come from the command line. A ws://
URL runs on asyncio; an rs:// URL (RawSocket) on Twisted, because
autobahn 22.7's asyncio RawSocket client fails on WELCOME (a bug of that
release)."""

import sys

url, realm = sys.argv[1], sys.argv[2]

if url.startswith("rs"):
    from autobahn.twisted.wamp import ApplicationRunner, ApplicationSession
    from twisted.internet import reactor

    def stop():
        reactor.stop()
else:
    import asyncio

    from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession

    def stop():
        asyncio.get_event_loop().stop()


class Caller(ApplicationSession):
    async def onJoin(self, details):
        result = await self.call("com.example.add2", 2, 3)
        print("result", result, flush=True)
        self.leave()

    def onDisconnect(self):
        stop()


if __name__ == "__main__":
    ApplicationRunner(url, realm).run(Caller)
