"""A WAMP backend in the shape of Crossbar's Python examples: an autobahn
ApplicationSession run by autobahn's own ApplicationRunner. The router URL
and realm come from the environment (CBURL, CBREALM)."""

import os

from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession


class AppSession(ApplicationSession):
    async def onJoin(self, details):
        def add2(x, y):
            return x + y

        await self.register(add2, "com.example.add2")
        print("procedure add2() registered", flush=True)


if __name__ == "__main__":
    url = os.environ.get("CBURL", "ws://127.0.0.1:8080/ws")
    realm = os.environ.get("CBREALM", "realm1")
    ApplicationRunner(url, realm).run(AppSession)
