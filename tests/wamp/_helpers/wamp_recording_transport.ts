/**
 * Test helpers for the router core: a recording transport that captures
 * the exact frames the router sends, and stage fixtures (`connected`,
 * `joined`) that set up sessions.
 */
import { anonymousAuthMethod } from "../../../lib/wamp/auth/anonymous.ts";
import type { AuthMethod } from "../../../lib/wamp/auth/authenticator.ts";
import type { RealmConfig } from "../../../lib/wamp/realm.ts";
import { openRealm } from "../../_helpers/config.ts";
import { createRouter, type Router } from "../../../lib/wamp/router.ts";
import type {
  Transport,
  TransportHandler,
  TransportInfo,
  WampMessage,
} from "../../../lib/wamp/transport.ts";

/** Lets pending promises and microtasks run (authenticators are async). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A transport that records what the router sends. */
export class RecordingTransport implements Transport {
  readonly info: TransportInfo = {
    type: "websocket",
    peer: "tcp4:127.0.0.1:50000",
    serializer: "json",
    secure: false,
  };
  /** Every frame sent, in order (kept). */
  readonly sent: WampMessage[] = [];
  /** Whether the router closed the transport. */
  closed = false;
  handler!: TransportHandler;
  #read = 0;

  /** Answer a router-initiated GOODBYE like a well-behaved client. */
  autoGoodbye = true;

  send(message: WampMessage): void {
    if (this.closed) return;
    this.sent.push(message);
    if (
      this.autoGoodbye && message[0] === 6 &&
      message[2] !== "wamp.close.goodbye_and_out"
    ) {
      queueMicrotask(() =>
        this.handler.onMessage([6, {}, "wamp.close.goodbye_and_out"])
      );
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    queueMicrotask(() => this.handler.onClose());
  }

  /** Feeds a message to the router as if it came off the wire. */
  deliver(message: WampMessage): void {
    this.handler.onMessage(message);
  }

  /** Frames sent since the last call. */
  take(): WampMessage[] {
    const frames = this.sent.slice(this.#read);
    this.#read = this.sent.length;
    return frames;
  }

  /** Delivers `message`, lets the router settle and returns new frames. */
  async exchange(message: WampMessage): Promise<WampMessage[]> {
    this.deliver(message);
    await flush();
    return this.take();
  }

  /** Simulates the peer dropping the connection. */
  drop(): void {
    this.closed = true;
    this.handler.onClose();
  }
}

/** A realm where `anonymous` may do everything (Crossbar's init template). */
export const OPEN_REALM: RealmConfig = openRealm({
  disclose: { caller: false, publisher: false },
  cache: true,
});

/** Creates a router serving `realms` (default: the open realm). */
export function testRouter(realms: RealmConfig[] = [OPEN_REALM]): Router {
  return createRouter({ realms, nodeId: "node1" });
}

/** Stage: a transport attached to `router`, no HELLO yet. */
export function connected(
  router: Router,
  authMethods: ReadonlyMap<string, AuthMethod> = new Map([
    ["anonymous", anonymousAuthMethod()],
  ]),
): RecordingTransport {
  const transport = new RecordingTransport();
  transport.handler = router.attach(transport, { authMethods });
  return transport;
}

/** A joined session: its transport and session id. */
export interface Joined {
  transport: RecordingTransport;
  sessionId: number;
  welcome: WampMessage;
}

/** Client roles as autobahn-js announces them (features that matter here). */
export const CLIENT_ROLES = {
  caller: {
    features: { progressive_call_results: true, call_canceling: true },
  },
  callee: {
    features: {
      progressive_call_results: true,
      call_canceling: true,
      registration_revocation: true,
    },
  },
  publisher: { features: {} },
  subscriber: { features: { subscription_revocation: true } },
};

/** Stage: a session welcomed on `realm` with anonymous auth as `role`. */
export async function joined(
  router: Router,
  options: { realm?: string; role?: string; authid?: string } = {},
): Promise<Joined> {
  const transport = connected(
    router,
    new Map([[
      "anonymous",
      anonymousAuthMethod({
        role: options.role ?? "anonymous",
        ...(options.authid === undefined ? {} : { authid: options.authid }),
      }),
    ]]),
  );
  const [welcome] = await transport.exchange([1, options.realm ?? "realm1", {
    roles: CLIENT_ROLES,
  }]);
  if (welcome?.[0] !== 2) {
    throw new Error(`Expected WELCOME, got ${JSON.stringify(welcome)}`);
  }
  return { transport, sessionId: welcome[1] as number, welcome };
}
