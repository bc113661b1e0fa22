/**
 * The seam between the web transport's path table and the services mounted
 * on it (wsgi apps, WAMP websocket endpoints, static files, …).
 *
 * @module
 */

/** What the path table tells a service about one request. */
export interface ServeContext {
  /**
   * The mount prefix the request matched, without a trailing slash; `""` for
   * the root service. WSGI's `SCRIPT_NAME`.
   */
  readonly prefix: string;
  /**
   * The rest of the URL path below the prefix, raw (still percent-encoded),
   * always starting with `/` (`/app` gives `/`, `/app/a/b` gives `/a/b`).
   * WSGI's `PATH_INFO`.
   */
  readonly rest: string;
  /** The query string including its `?`, or `""`. */
  readonly search: string;
  /** The client's address. */
  readonly remoteAddr: Deno.NetAddr | Deno.UnixAddr;
  /** Whether the request arrived over TLS. */
  readonly secure: boolean;
  /**
   * Aborted when the client goes away. Read it only when needed: it is a
   * getter, and Deno builds the signal on first access (~25 µs).
   */
  readonly signal: AbortSignal;
  /**
   * The verified client certificate, on a transport whose TLS asks for one
   * (`ca_certificates`); absent otherwise.
   */
  readonly clientCertificate?: ClientCertificate | undefined;
  /**
   * Accepts a WebSocket upgrade on a front end where `Deno.upgradeWebSocket`
   * cannot work (the Node-compatible listener used for `ca_certificates` and
   * `client_timeout`). Same contract as `Deno.upgradeWebSocket`; services call
   * it instead when present.
   */
  readonly upgradeWebSocket?: typeof Deno.upgradeWebSocket | undefined;
}

/** Facts about a verified client certificate. */
export interface ClientCertificate {
  /** Subject fields, e.g. `{ CN: "alice", O: "Example" }`. */
  readonly subject: Readonly<Record<string, string>>;
  /** SHA-256 fingerprint as colon-separated hex, when known. */
  readonly fingerprint256?: string | undefined;
}

/** A service mounted at a path of a web transport. */
export interface PathService {
  /** The Crossbar service type, e.g. `"wsgi"` or `"websocket"`. */
  readonly type: string;
  /**
   * Answers one request. Expected failures are returned as responses; a
   * thrown error is logged by the transport and answered with a plain 500.
   */
  handle(request: Request, context: ServeContext): Response | Promise<Response>;
  /**
   * Stops the service: finish or cut in-flight work by `deadline`
   * (a `Date.now()` value), then release workers, sockets and timers.
   * Idempotent.
   */
  close(deadline?: number): Promise<void>;
}
