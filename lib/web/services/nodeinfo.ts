/**
 * The `nodeinfo` path service: an HTML status page about the node
 * (version, uptime, transports, paths, realms and their session counts).
 *
 * @module
 */
import type { MemberSummary } from "../../cluster/cluster_node.ts";
import type { NodeInfoServiceConfig } from "../../config/mod.ts";
import type { PathService } from "../path_service.ts";
import type { ServiceEnv } from "./service_env.ts";
import {
  escapeHtml,
  isReadMethod,
  methodNotAllowed,
  READ_METHODS,
} from "./_static_http.ts";

/** A snapshot of the node's state, shown by the `nodeinfo` page. */
export interface NodeInfo {
  /** The node software's version. */
  readonly version: string;
  /** When the node started. */
  readonly startedAt: Date;
  /** Mapped web paths and their service types. */
  readonly paths: readonly { readonly path: string; readonly type: string }[];
  /** Realms and how many sessions are joined to each. */
  readonly realms: readonly {
    readonly name: string;
    readonly sessions: number;
  }[];
  /** Listening transports, e.g. `{ type: "web", endpoint: "tcp:8080" }`. */
  readonly transports: readonly {
    readonly id?: string | undefined;
    readonly type: string;
    readonly endpoint: string;
  }[];
  /** The cluster this node process belongs to, when clustered. */
  readonly cluster?: {
    /** Cluster name. */
    readonly name: string;
    /** Live members, the answering process first (`self`). */
    readonly members: readonly MemberSummary[];
  } | undefined;
}

/** Supplies a fresh {@link NodeInfo} on every request. */
export type NodeInfoProvider = () => NodeInfo;

/**
 * Creates a `nodeinfo` service that renders `env.nodeInfo()` per request.
 *
 * @param _config The validated service config (nothing to read).
 * @param env The node environment plus the node info provider.
 * @returns The path service.
 * @example Render the page
 * ```ts
 * import { createNodeInfoService } from "./nodeinfo.ts";
 * import { SILENT_LOGGER } from "../../log/logger.ts";
 * const service = createNodeInfoService({ type: "nodeinfo" }, {
 *   cbdir: "/",
 *   logger: SILENT_LOGGER,
 *   nodeInfo: () => ({
 *     version: "1.0.0", startedAt: new Date(), paths: [], realms: [],
 *     transports: [],
 *   }),
 * });
 * const response = await service.handle(new Request("http://x/"), {
 *   prefix: "", rest: "/", search: "", secure: false,
 *   remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
 *   signal: new AbortController().signal,
 * });
 * if (!(await response.text()).includes("1.0.0")) throw new Error();
 * ```
 */
export function createNodeInfoService(
  _config: NodeInfoServiceConfig,
  env: ServiceEnv & { readonly nodeInfo: NodeInfoProvider },
): PathService {
  return {
    type: "nodeinfo",
    handle(request) {
      if (!isReadMethod(request.method)) return methodNotAllowed(READ_METHODS);
      const html = renderNodeInfo(env.nodeInfo(), new Date());
      const headers = new Headers({
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-cache",
      });
      return new Response(request.method === "HEAD" ? null : html, {
        headers,
      });
    },
    close: () => Promise.resolve(),
  };
}

/** Formats a duration in ms as `1d 2h 3m 4s`. */
export function formatUptime(ms: number): string {
  let seconds = Math.max(0, Math.floor(ms / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]] as const) {
    const count = Math.floor(seconds / size);
    seconds -= count * size;
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`);
  }
  parts.push(`${seconds}s`);
  return parts.join(" ");
}

function table(headings: string[], rows: string[][]): string {
  const head = headings.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = rows.length === 0
    ? `<tr><td colspan="${headings.length}">none</td></tr>`
    : rows.map((row) =>
      `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`
    ).join("\n");
  return `<table>\n<tr>${head}</tr>\n${body}\n</table>`;
}

function renderNodeInfo(info: NodeInfo, now: Date): string {
  const uptime = formatUptime(now.getTime() - info.startedAt.getTime());
  const transports = info.transports.map((t) => [
    t.id ?? "",
    t.type,
    t.endpoint,
  ]);
  const paths = info.paths.map((p) => [p.path, p.type]);
  const realms = info.realms.map((r) => [r.name, String(r.sessions)]);
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Node info</title></head>
<body>
<h1>Node info</h1>
<p>Version: ${escapeHtml(info.version)}</p>
<p>Started: ${escapeHtml(info.startedAt.toISOString())} (up ${uptime})</p>
<h2>Transports</h2>
${table(["id", "type", "endpoint"], transports)}
<h2>Web paths</h2>
${table(["path", "service"], paths)}
<h2>Realms</h2>
${table(["realm", "sessions"], realms)}
${info.cluster === undefined ? "" : renderCluster(info.cluster)}</body></html>
`;
}

function renderCluster(cluster: NonNullable<NodeInfo["cluster"]>): string {
  const rows = cluster.members.map((m) => [
    m.self ? `${m.id} (this process)` : m.id,
    m.host,
    String(m.pid),
    String(m.process),
    m.started,
    m.self ? "" : m.hostLink ? "host link" : "NATS",
  ]);
  return `<h2>Cluster ${escapeHtml(cluster.name)}</h2>
${table(["member", "host", "pid", "process", "started", "records go by"], rows)}
`;
}
