/**
 * The WebSocket proxy's plumbing: dial the backend, then pipe messages and
 * closes between two sockets.
 *
 * @module
 */

/** Options for {@link openBackend}. */
export interface OpenBackendOptions {
  /** Give up after this many milliseconds. */
  readonly timeoutMs: number;
  /** Give up when this aborts (the client went away). */
  readonly signal: AbortSignal;
}

/**
 * Opens a WebSocket to `url` offering `protocols`; resolves with the open
 * socket, or with an `Error` saying why it failed (never rejects).
 */
export function openBackend(
  url: string,
  protocols: string[],
  options: OpenBackendOptions,
): Promise<WebSocket | Error> {
  let socket: WebSocket;
  try {
    socket = new WebSocket(url, protocols);
  } catch (error) {
    return Promise.resolve(
      error instanceof Error ? error : new Error(String(error)),
    );
  }
  socket.binaryType = "arraybuffer";
  return new Promise((resolve) => {
    const finish = (result: WebSocket | Error) => {
      clearTimeout(timer);
      options.signal.removeEventListener("abort", onAbort);
      socket.onopen = socket.onerror = socket.onclose = null;
      if (result instanceof Error) closeQuietly(socket);
      resolve(result);
    };
    const onAbort = () => finish(new Error("client went away"));
    const timer = setTimeout(
      () => finish(new Error("handshake timed out")),
      options.timeoutMs,
    );
    options.signal.addEventListener("abort", onAbort, { once: true });
    socket.onopen = () => finish(socket);
    socket.onerror = (event) =>
      finish(new Error((event as ErrorEvent).message || "connection failed"));
    socket.onclose = () => finish(new Error("closed during handshake"));
    if (options.signal.aborted) onAbort();
  });
}

/**
 * Relays messages and closes between `client` (possibly still connecting)
 * and the open `backend`; calls `done` once both are closed.
 */
export function relay(
  client: WebSocket,
  backend: WebSocket,
  done: () => void,
): void {
  client.binaryType = "arraybuffer";
  const queued: (string | ArrayBuffer)[] = [];
  let closes = 0;
  const closed = () => {
    if (++closes === 2) done();
  };
  client.onopen = () => {
    for (const data of queued.splice(0)) client.send(data);
    if (backend.readyState !== WebSocket.OPEN) closeQuietly(client);
  };
  backend.onmessage = (event: MessageEvent) => {
    if (client.readyState === WebSocket.OPEN) client.send(event.data);
    else if (client.readyState === WebSocket.CONNECTING) {
      queued.push(event.data);
    }
  };
  client.onmessage = (event: MessageEvent) => {
    if (backend.readyState === WebSocket.OPEN) backend.send(event.data);
  };
  backend.onclose = (event: CloseEvent) => {
    closed();
    if (client.readyState === WebSocket.OPEN) {
      closeQuietly(client, event.code, event.reason);
    }
  };
  client.onclose = (event: CloseEvent) => {
    closed();
    closeQuietly(backend, event.code, event.reason);
  };
  client.onerror = backend.onerror = () => {};
}

/** Closes `socket` with a code Deno may send (1000 or 3000–4999). */
function closeQuietly(socket: WebSocket, code = 1000, reason = ""): void {
  if (socket.readyState >= WebSocket.CLOSING) return;
  const allowed = code === 1000 || (code >= 3000 && code <= 4999);
  try {
    socket.close(allowed ? code : 1000, reason);
  } catch {
    socket.close(allowed ? code : 1000);
  }
}
