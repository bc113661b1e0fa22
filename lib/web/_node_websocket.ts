/**
 * WebSocket upgrades on the Node-compatible listener: a stand-in for
 * `Deno.upgradeWebSocket` that hands the service a socket at once and
 * connects it to an npm `ws` socket once the handshake is done. Used only by
 * `_node_listener.ts`.
 *
 * Upgrade lifecycle:
 * 1. The server's `upgrade` event builds a `Request` and dispatches it with
 *    {@link NodeUpgrade.upgradeWebSocket} in the `ServeContext`.
 * 2. The service negotiates and calls it: it gets a {@link PendingWebSocket}
 *    (state CONNECTING) and a placeholder response, which it returns.
 * 3. The listener sees the placeholder and lets `ws` finish the handshake
 *    with the chosen subprotocol; {@link PendingWebSocket.attach} then wires
 *    the real socket and fires `open`. Any other response is written raw and
 *    the pending socket (if any) reports a close.
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import * as ws from "ws";

/** The parts of an npm `ws` socket used here (the package has no types). */
interface NodeWs {
  readonly readyState: number;
  readonly protocol: string;
  readonly bufferedAmount: number;
  binaryType: "nodebuffer" | "arraybuffer" | "fragments";
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose:
    | ((event: { code: number; reason: string; wasClean: boolean }) => void)
    | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  ping(): void;
  terminate(): void;
  on(event: "pong" | "message" | "close", listener: () => void): void;
}

/** The parts of an npm `ws` server used here. */
export interface WebSocketServer {
  handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    done: (socket: NodeWs) => void,
  ): void;
  close(): void;
}

interface WebSocketServerOptions {
  noServer: true;
  clientTracking: boolean;
  perMessageDeflate: boolean;
  handleProtocols: (offered: Set<string>, req: IncomingMessage) =>
    | string
    | false;
}

const WebSocketServerClass = ws.WebSocketServer as new (
  options: WebSocketServerOptions,
) => WebSocketServer;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

type Listener = (event: Event) => void;

/**
 * The server side of a WebSocket on the Node listener, shaped like the parts
 * of the web `WebSocket` that `WebSocketTransport` uses.
 */
export class PendingWebSocket {
  /** `"arraybuffer"` gives binary messages as `ArrayBuffer`. */
  binaryType: BinaryType = "blob";
  /** Called per message. */
  onmessage: ((event: MessageEvent) => void) | null = null;
  /** Called once, when the socket has closed. */
  onclose: ((event: CloseEvent) => void) | null = null;
  /** Called on a socket error (a close follows). */
  onerror: ((event: Event) => void) | null = null;
  /** Called when the handshake has completed. */
  onopen: ((event: Event) => void) | null = null;
  #ws: NodeWs | undefined;
  #state = CONNECTING;
  #protocol: string;
  #openListeners: Listener[] = [];
  #closeRequest: [number | undefined, string | undefined] | undefined;
  #idleTimeout: number;

  /**
   * Creates a socket waiting for its handshake.
   *
   * @param protocol The agreed subprotocol, or `""`.
   * @param idleTimeout Seconds of silence before a ping; a peer that stays
   * silent for as long again is cut. 0 turns keep-alive off.
   */
  constructor(protocol: string, idleTimeout = 0) {
    this.#protocol = protocol;
    this.#idleTimeout = idleTimeout;
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed (as `WebSocket`). */
  get readyState(): number {
    return this.#ws?.readyState ?? this.#state;
  }

  /** The negotiated subprotocol, or `""`. */
  get protocol(): string {
    return this.#ws?.protocol ?? this.#protocol;
  }

  /** Bytes queued but not yet sent. */
  get bufferedAmount(): number {
    return this.#ws?.bufferedAmount ?? 0;
  }

  /**
   * Sends a text or binary message.
   *
   * @param data The message.
   * @throws {DOMException} When the socket is not open.
   */
  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.#ws === undefined || this.#ws.readyState !== OPEN) {
      throw new DOMException("The WebSocket is not open", "InvalidStateError");
    }
    this.#ws.send(data);
  }

  /**
   * Closes the socket, or marks it to close as soon as it opens.
   *
   * @param code Close code.
   * @param reason Close reason.
   */
  close(code?: number, reason?: string): void {
    if (this.#ws !== undefined) return this.#ws.close(code, reason);
    this.#closeRequest = [code, reason];
  }

  /** Supports `"open"` listeners only (what `WebSocketTransport` uses). */
  addEventListener(type: string, listener: Listener): void {
    if (type === "open") this.#openListeners.push(listener);
  }

  /** Removes an `"open"` listener. */
  removeEventListener(type: string, listener: Listener): void {
    if (type !== "open") return;
    this.#openListeners = this.#openListeners.filter((l) => l !== listener);
  }

  /** Wires the completed `ws` socket and fires `open`. */
  attach(ws: NodeWs): void {
    this.#ws = ws;
    ws.binaryType = this.binaryType === "arraybuffer"
      ? "arraybuffer"
      : "nodebuffer";
    ws.onmessage = (event) => {
      this.onmessage?.(new MessageEvent("message", { data: event.data }));
    };
    ws.onclose = (event) => {
      this.onclose?.(
        new CloseEvent("close", {
          code: event.code,
          reason: event.reason,
          wasClean: event.wasClean,
        }),
      );
    };
    ws.onerror = () => this.onerror?.(new Event("error"));
    if (this.#idleTimeout > 0) keepAlive(ws, this.#idleTimeout);
    const open = new Event("open");
    this.onopen?.(open);
    for (const listener of this.#openListeners.splice(0)) listener(open);
    if (this.#closeRequest !== undefined) {
      const [code, reason] = this.#closeRequest;
      try {
        ws.close(code, reason);
      } catch {
        ws.close();
      }
    }
  }

  /** The handshake did not happen: report an abnormal close. */
  fail(): void {
    if (this.#ws !== undefined || this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.onclose?.(new CloseEvent("close", { code: 1006, wasClean: false }));
  }
}

/**
 * Pings `ws` after `seconds` without a message or pong, and cuts it when the
 * next check finds it still silent (as Deno's `idleTimeout`).
 */
function keepAlive(ws: NodeWs, seconds: number): void {
  let heard = true;
  let pinged = false;
  const mark = () => {
    heard = true;
  };
  ws.on("pong", mark);
  ws.on("message", mark);
  const timer = setInterval(() => {
    if (heard) {
      heard = false;
      pinged = false;
    } else if (!pinged) {
      pinged = true;
      ws.ping();
    } else {
      ws.terminate();
    }
  }, seconds * 1000);
  ws.on("close", () => clearInterval(timer));
}

/** One upgrade request's bridge between the service and `ws`. */
export class NodeUpgrade {
  #pending: { socket: PendingWebSocket; response: Response } | undefined;

  /**
   * The `ServeContext.upgradeWebSocket` for this request: same contract as
   * `Deno.upgradeWebSocket`.
   */
  readonly upgradeWebSocket: typeof Deno.upgradeWebSocket = (
    request,
    options,
  ) => {
    if (this.#pending !== undefined) {
      throw new TypeError("Cannot upgrade the request twice");
    }
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      throw new TypeError(
        "Invalid Header: 'upgrade' header must be 'websocket'",
      );
    }
    const socket = new PendingWebSocket(
      options?.protocol ?? "",
      options?.idleTimeout ?? 0,
    );
    // A placeholder: `ws` writes the real 101 response.
    const response = new Response(null, { status: 200 });
    this.#pending = { socket, response };
    // The seam is typed as the web WebSocket; this covers what is used.
    return { socket: socket as unknown as WebSocket, response };
  };

  /**
   * Finishes the handshake when `response` is this upgrade's placeholder.
   *
   * @returns Whether the connection was taken over by `ws`.
   */
  complete(
    response: Response,
    server: WebSocketServer,
    connection: { req: IncomingMessage; socket: Duplex; head: Buffer },
  ): boolean {
    const pending = this.#pending;
    if (pending === undefined || pending.response !== response) {
      pending?.socket.fail();
      return false;
    }
    const { req, socket, head } = connection;
    PROTOCOLS.set(req, pending.socket.protocol);
    let attached = false;
    socket.once("close", () => {
      if (!attached) pending.socket.fail();
    });
    server.handleUpgrade(req, socket, head, (ws) => {
      attached = true;
      pending.socket.attach(ws);
    });
    return true;
  }
}

/** The subprotocol chosen for each request being upgraded. */
const PROTOCOLS = new WeakMap<IncomingMessage, string>();

/**
 * Creates the `ws` server that completes upgrades for one listener.
 *
 * @returns A server in `noServer` mode.
 */
export function createUpgradeServer(): WebSocketServer {
  return new WebSocketServerClass({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    handleProtocols: (_offered, req) => PROTOCOLS.get(req) || false,
  });
}
