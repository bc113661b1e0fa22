import { assertEquals } from "../_helpers/assert.ts";
import { Registry } from "../../lib/metrics/registry.ts";

Deno.test("Registry.render() writes the Prometheus text format", () => {
  const registry = new Registry();
  const requests = registry.counter("x_requests_total", "Requests.");
  requests.inc({ path: "/a", code: "2xx" });
  requests.series({ path: "/a", code: "2xx" }).inc(2);
  requests.inc({ path: 'q"\\\n', code: "5xx" });
  const latency = registry.histogram("x_seconds", "Latency.", [0.1, 1]);
  latency.observe({ path: "/a" }, 0.05);
  latency.observe({ path: "/a" }, 0.5);
  latency.observe({ path: "/a" }, 5);
  registry.gaugeFrom("x_up", "Up.\nline", () => [[{}, 1]]);
  assertEquals(
    registry.render(),
    [
      "# HELP x_requests_total Requests.",
      "# TYPE x_requests_total counter",
      'x_requests_total{path="/a",code="2xx"} 3',
      'x_requests_total{path="q\\"\\\\\\n",code="5xx"} 1',
      "# HELP x_seconds Latency.",
      "# TYPE x_seconds histogram",
      'x_seconds_bucket{path="/a",le="0.1"} 1',
      'x_seconds_bucket{path="/a",le="1"} 2',
      'x_seconds_bucket{path="/a",le="+Inf"} 3',
      'x_seconds_sum{path="/a"} 5.55',
      'x_seconds_count{path="/a"} 3',
      "# HELP x_up Up.\\nline",
      "# TYPE x_up gauge",
      "x_up 1",
      "",
    ].join("\n"),
  );
});
