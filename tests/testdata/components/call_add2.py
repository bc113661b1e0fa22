"""Calls com.example.add2 with autobahn-python's own runner and prints the
result; the URL and realm come from the command line."""

import sys

from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession


class Caller(ApplicationSession):
    async def onJoin(self, details):
        result = await self.call("com.example.add2", 2, 3)
        print("result", result, flush=True)
        self.leave()

    def onDisconnect(self):
        import asyncio
        asyncio.get_event_loop().stop()


if __name__ == "__main__":
    ApplicationRunner(sys.argv[1], sys.argv[2]).run(Caller)
