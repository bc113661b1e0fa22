import assert from "node:assert/strict";
import { join } from "node:path";
import { createLogger } from "../../../lib/log/logger.ts";
import { createCgiService } from "../../../lib/web/services/cgi.ts";
import type { ServiceEnv } from "../../../lib/web/services/service_env.ts";
import { serveService } from "../../_helpers/serve_service.ts";
import { directContext, TESTDATA, testEnv } from "./_env.ts";

function serveCgi(prefix = "/cgi", env: ServiceEnv = testEnv()) {
  const service = createCgiService(
    { type: "cgi", directory: "cgi", processor: "/bin/sh" },
    env,
  );
  return serveService(service, { prefix });
}

function parseEnv(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) env.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return env;
}

Deno.test("createCgiService() passes the CGI/1.1 variables and nothing else from the node", async () => {
  Deno.env.set("CGI_LEAK_MARKER", "leaked");
  try {
    await using server = serveCgi();
    const response = await fetch(
      server.url + "/cgi/env.sh/extra/path%20x?q=1&r=2",
      {
        method: "POST",
        body: "abc",
        headers: {
          "content-type": "text/plain",
          "x-custom-header": "custom",
          "proxy": "http://evil.test:3128",
        },
      },
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/plain");
    const env = parseEnv(await response.text());
    const expected: Record<string, string> = {
      GATEWAY_INTERFACE: "CGI/1.1",
      SERVER_SOFTWARE: "crossbar-deno",
      SERVER_NAME: "127.0.0.1",
      SERVER_PORT: String(server.port),
      SERVER_PROTOCOL: "HTTP/1.1",
      REQUEST_METHOD: "POST",
      SCRIPT_NAME: "/cgi/env.sh",
      PATH_INFO: "/extra/path x",
      QUERY_STRING: "q=1&r=2",
      REQUEST_URI: "/cgi/env.sh/extra/path%20x?q=1&r=2",
      REMOTE_ADDR: "127.0.0.1",
      CONTENT_TYPE: "text/plain",
      CONTENT_LENGTH: "3",
      HTTP_X_CUSTOM_HEADER: "custom",
      PATH: Deno.env.get("PATH")!,
    };
    for (const [name, value] of Object.entries(expected)) {
      assert.equal(env.get(name), value, name);
    }
    assert.match(env.get("REMOTE_PORT") ?? "", /^\d+$/);
    assert.equal(env.get("SCRIPT_FILENAME"), join(TESTDATA, "cgi", "env.sh"));
    assert.equal(env.get("HTTPS"), undefined);
    assert.equal(env.get("CGI_LEAK_MARKER"), undefined);
    assert.equal(env.get("HOME"), undefined);
    // Regression (httpoxy): a Proxy request header must not set HTTP_PROXY.
    assert.equal(env.get("HTTP_PROXY"), undefined);
  } finally {
    Deno.env.delete("CGI_LEAK_MARKER");
  }
});

Deno.test("createCgiService() sets HTTPS=on for requests over TLS", async () => {
  const service = createCgiService(
    { type: "cgi", directory: "cgi", processor: "/bin/sh" },
    testEnv(),
  );
  const response = await service.handle(
    new Request("https://example.test/env.sh", {
      headers: { host: "example.test" },
    }),
    { ...directContext("/env.sh"), secure: true },
  );
  const env = parseEnv(await response.text());
  assert.equal(env.get("HTTPS"), "on");
  assert.equal(env.get("SERVER_NAME"), "example.test");
  assert.equal(env.get("SERVER_PORT"), "443");
  await service.close();
});

Deno.test("createCgiService() streams the request body to stdin and stdout back", async () => {
  await using server = serveCgi("");
  const big = new Uint8Array(512 * 1024).map((_, i) => i % 251);
  const response = await fetch(server.url + "/echo_body.sh", {
    method: "PUT",
    body: big,
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("x-method"), "PUT");
  const echoed = new Uint8Array(await response.arrayBuffer());
  assert.equal(echoed.length, big.length);
  assert.deepEqual(echoed, big);
});

Deno.test("createCgiService() honours the Status and Location headers", async () => {
  await using server = serveCgi();
  const status = await fetch(server.url + "/cgi/status.sh");
  assert.equal(status.status, 404);
  assert.equal(status.statusText, "Not Found");
  assert.equal(status.headers.get("x-extra"), "1");
  assert.equal(await status.text(), "custom not found\n");
  const redirect = await fetch(server.url + "/cgi/redirect.sh", {
    redirect: "manual",
  });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get("location"), "/elsewhere");
  await redirect.body?.cancel();
});

Deno.test("createCgiService() runs scripts in their own folder", async () => {
  await using server = serveCgi();
  const response = await fetch(server.url + "/cgi/sub/hello.sh");
  assert.equal(await response.text(), "hello from sub\n");
});

Deno.test("createCgiService() answers 500 and logs when a script fails or prints a bad head", async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: "debug", write: (l) => lines.push(l) });
  await using server = serveCgi("/cgi", { ...testEnv(), logger });
  const failed = await fetch(server.url + "/cgi/fail.sh");
  assert.equal(failed.status, 500);
  assert.equal(await failed.text(), "500 Internal Server Error\n");
  assert.ok(lines.some((l) => / warn .*fail\.sh: broken things$/.test(l)));
  assert.ok(lines.some((l) => / error .*fail\.sh failed \(exit 3\)/.test(l)));
  const malformed = await fetch(server.url + "/cgi/malformed.sh");
  assert.equal(malformed.status, 500);
  assert.ok(!(await malformed.text()).includes("body"));
  assert.ok(lines.some((l) => /malformed header line/.test(l)));
});

Deno.test("createCgiService() answers 404 for folders, missing scripts and escapes", async () => {
  await using server = serveCgi();
  for (const path of ["/cgi/", "/cgi/sub", "/cgi/sub/", "/cgi/nope.sh"]) {
    const response = await fetch(server.url + path);
    assert.equal(response.status, 404, path);
    await response.body?.cancel();
  }
  const service = createCgiService(
    { type: "cgi", directory: "cgi/sub", processor: "/bin/sh" },
    testEnv(),
  );
  for (const rest of ["/../env.sh", "/%2e%2e/env.sh", "/..%2fenv.sh"]) {
    const response = await service.handle(
      new Request("http://127.0.0.1/"),
      directContext(rest),
    );
    assert.equal(response.status, 404, rest);
    await response.body?.cancel();
  }
  await service.close();
});

Deno.test("createCgiService() refuses a symlinked script outside its folder", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(tmp, "cgi"));
    await Deno.writeTextFile(
      join(tmp, "outside.sh"),
      "printf 'Content-Type: text/plain\\n\\nOUTSIDE'\n",
    );
    await Deno.symlink(join(tmp, "outside.sh"), join(tmp, "cgi", "link.sh"));
    const service = createCgiService(
      { type: "cgi", directory: "cgi", processor: "/bin/sh" },
      testEnv(tmp),
    );
    await using server = serveService(service);
    const response = await fetch(server.url + "/link.sh");
    assert.equal(response.status, 404);
    assert.ok(!(await response.text()).includes("OUTSIDE"));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("createCgiService() kills the script when the client goes away", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(tmp, "cgi"));
    await Deno.writeTextFile(
      join(tmp, "cgi", "forever.sh"),
      "printf 'Content-Type: text/plain\\n\\n'\necho $$ > pid\necho tick\n" +
        "while true; do sleep 0.05; done\n",
    );
    const service = createCgiService(
      { type: "cgi", directory: "cgi", processor: "/bin/sh" },
      testEnv(tmp),
    );
    await using server = serveService(service);
    const response = await fetch(server.url + "/forever.sh");
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    const pid = Number(
      (await Deno.readTextFile(join(tmp, "cgi", "pid"))).trim(),
    );
    assert.ok(pid > 0);
    const giveUp = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < giveUp) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(!isAlive(pid), "the script is still running");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

function isAlive(pid: number): boolean {
  try {
    Deno.kill(pid, 0 as unknown as Deno.Signal);
    return true;
  } catch {
    return false;
  }
}
