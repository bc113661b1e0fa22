import { resolve } from "node:path";
import {
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { freePort, REPO_ROOT } from "../_helpers/node.ts";
import { autobahnOpen } from "../app/_autobahn.ts";
import {
  checkComponent,
  ComponentStartError,
} from "../../lib/components/mod.ts";
import { hostNode } from "../../lib/node/mod.ts";

const CBDIR = resolve(REPO_ROOT, "tests/testdata/components/.crossbar");
const ALL = { call: true, register: true, publish: true, subscribe: true };

function config(port: number, classname: string) {
  return {
    version: 2,
    workers: [{
      type: "router",
      options: { pythonpath: ["../app"] },
      realms: [{
        name: "realm1",
        roles: [
          {
            name: "anonymous",
            permissions: [{ uri: "com.example.", match: "prefix", allow: ALL }],
          },
          {
            name: "backend",
            permissions: [{ uri: "com.example.", match: "prefix", allow: ALL }],
          },
        ],
      }],
      components: [{
        type: "class",
        classname,
        realm: "realm1",
        role: "backend",
        extra: { greeting: "from python" },
      }],
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port, interface: "127.0.0.1" },
        paths: { ws: { type: "websocket" } },
      }],
    }],
  };
}

Deno.test("a Python router component (an ApplicationSession subclass) runs unchanged and answers calls", async () => {
  const port = freePort();
  await using _node = await hostNode(config(port, "pyback.PyBackend"), {
    cbdir: CBDIR,
  });
  await using client = await autobahnOpen(`ws://127.0.0.1:${port}/ws`);
  assertEquals(await client.session.call("com.example.mul2", [6, 7]), 42);
  assertEquals(await client.session.call("com.example.pywho"), [
    "from python",
    "backend",
  ]);
});

Deno.test("a Python router component whose onJoin raises fails the start with its traceback", async () => {
  const error = await assertRejects(
    () => hostNode(config(freePort(), "pyback.PyFailing"), { cbdir: CBDIR }),
    ComponentStartError,
  );
  assertStringIncludes(error.message, 'component "pyback.PyFailing"');
  assertStringIncludes(error.message, "python backend cannot start");
});

Deno.test("checkComponent() imports a Python component's module and finds its class", async () => {
  const options = {
    cbdir: CBDIR,
    pythonpath: ["../app"],
    realm: "realm1",
    extra: {},
    permissions: {},
  };
  await checkComponent({ ...options, classname: "pyback.PyBackend" });
  const error = await assertRejects(
    () => checkComponent({ ...options, classname: "pyback.NoSuchClass" }),
    Error,
  );
  assertStringIncludes(error.message, "NoSuchClass");
});
