import { resolve } from "node:path";
import autobahn from "autobahn";
import { assertEquals } from "../_helpers/assert.ts";
import { REPO_ROOT, startNodeDir } from "../_helpers/node.ts";

autobahn.log.warn = () => {};

// deno-lint-ignore no-explicit-any
type Session = any;

function open(
  url: string,
): Promise<{ session: Session; close(): Promise<void> }> {
  return new Promise((resolveOpen, reject) => {
    const connection = new autobahn.Connection({
      url,
      realm: "realm1",
      max_retries: 0,
      retry_if_unreachable: false,
    });
    const closed = Promise.withResolvers<void>();
    let isOpen = false;
    connection.onopen = (session: Session) => {
      isOpen = true;
      resolveOpen({
        session,
        close: async () => {
          connection.close();
          await closed.promise;
        },
      });
    };
    connection.onclose = (reason: string) => {
      closed.resolve();
      if (!isOpen) reject(new Error(`connection failed: ${reason}`));
      return true;
    };
    connection.open();
  });
}

Deno.test("the seed example's /ws path is a WAMP router for realm1", async () => {
  await using node = await startNodeDir(
    resolve(REPO_ROOT, "examples/wsgi/.crossbar"),
  );
  const url = node.url.replace("http:", "ws:") + "/ws";
  const a = await open(url);
  const b = await open(url);
  try {
    await a.session.register(
      "com.example.add",
      (args: number[]) => args[0]! + args[1]!,
    );
    assertEquals(await b.session.call("com.example.add", [2, 3]), 5);

    const received = Promise.withResolvers<unknown[]>();
    await a.session.subscribe(
      "com.example.news",
      (args: unknown[]) => received.resolve(args),
    );
    await b.session.publish("com.example.news", ["hello"], {}, {
      acknowledge: true,
    });
    assertEquals(await received.promise, ["hello"]);

    // The page keeps working beside the router.
    const page = await fetch(node.url + "/");
    assertEquals(page.status, 200);
    await page.body?.cancel();
  } finally {
    await a.close();
    await b.close();
  }
});
