/**
 * The WAMP channel of a component's worker: a `MessagePort` whose node end
 * is either a session of this node's router (in-process, the identity fixed
 * by the node) or a WebSocket client connection to another router.
 *
 * @module
 */
import { messagePortDuplex } from "../wamp/client/duplex.ts";
import { JSON_CODEC } from "../wamp/codecs/mod.ts";
import type { Router } from "../wamp/router.ts";
import type { WampMessage } from "../wamp/transport.ts";

/** One worker's channel. */
export interface ComponentLink {
  /** The worker's end; transfer it. */
  readonly port: MessagePort;
  /** What the worker offers in HELLO. */
  readonly authmethods: string[];
  /** Resolves when the node's end is gone (a remote router closed). */
  readonly closed: Promise<void>;
  /** Ends the channel: the session leaves. Idempotent. */
  close(): void;
}

/**
 * A channel into this node's router: the session joins `realm` as
 * `authrole` (trusted as given, like Crossbar's router components).
 *
 * @throws {WampError} `no_such_realm` / `no_such_role`.
 */
export function localLink(
  router: Router,
  identity: { realm: string; authrole: string; authid: string },
): ComponentLink {
  const channel = new MessageChannel();
  const duplex = messagePortDuplex(channel.port1);
  const closed = new Promise<void>((resolve) => {
    duplex.onclose = () => resolve();
  });
  router.acceptLocal(duplex, identity);
  return {
    port: channel.port2,
    authmethods: ["internal"],
    closed,
    close: () => duplex.close(),
  };
}

/**
 * A channel over a WebSocket client connection (`wamp.2.json`) to another
 * router; the worker joins anonymously.
 *
 * @param url `ws://` or `wss://` URL.
 * @param signal Aborts the connect.
 * @returns Once the WebSocket is open.
 * @throws {Error} When it cannot connect (`crossbar.error.cannot_connect`).
 */
export function webSocketLink(url: string): Promise<ComponentLink> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, [JSON_CODEC.subprotocol]);
    const channel = new MessageChannel();
    const port = channel.port1;
    let open = false;
    let closeResolve: () => void = () => {};
    const closed = new Promise<void>((r) => closeResolve = r);
    const end = () => {
      port.postMessage(null);
      port.close();
      closeResolve();
    };
    socket.onopen = () => {
      open = true;
      resolve({
        port: channel.port2,
        authmethods: ["anonymous"],
        closed,
        close: () => {
          socket.close(1000);
          end();
        },
      });
    };
    socket.onerror = () => {
      if (!open) {
        reject(
          new Error(
            `crossbar.error.cannot_connect: cannot connect to ${url}`,
          ),
        );
      }
    };
    socket.onclose = () => end();
    socket.onmessage = (event) => {
      try {
        port.postMessage(JSON_CODEC.decode(event.data as string));
      } catch {
        socket.close(1002);
      }
    };
    port.onmessage = (event: MessageEvent) => {
      if (event.data === null) socket.close(1000);
      else if (socket.readyState === WebSocket.OPEN) {
        socket.send(JSON_CODEC.encode(event.data as WampMessage));
      }
    };
    port.start();
  });
}
