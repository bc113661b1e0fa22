"""A router component in Python: an autobahn ApplicationSession subclass,
as Crossbar runs them."""

from autobahn.asyncio.wamp import ApplicationSession


class PyBackend(ApplicationSession):
    async def onJoin(self, details):
        def mul2(x, y):
            return x * y

        def who():
            return [self.config.extra["greeting"], details.authrole]

        await self.register(mul2, "com.example.mul2")
        await self.register(who, "com.example.pywho")


class PyFailing(ApplicationSession):
    async def onJoin(self, details):
        raise RuntimeError("python backend cannot start")
