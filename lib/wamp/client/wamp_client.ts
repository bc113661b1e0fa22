/**
 * An in-process WAMP client session (caller, callee, publisher,
 * subscriber) over a {@link WampDuplex}. Used by the HTTP bridge and by
 * hosted apps; errors reject with {@link WampError}.
 *
 * @module
 */
import { WAMP_ERRORS, WampError } from "../errors.ts";
import { IdCounter } from "../ids.ts";
import {
  type Dict,
  isDict,
  MESSAGE_TYPES as T,
  withPayload,
} from "../messages.ts";
import type { WampMessage } from "../transport.ts";
import type { WampDuplex } from "./duplex.ts";
import {
  type CallOptions,
  type CallResult,
  type ClientRegistration,
  type ClientSubscription,
  type EventDetails,
  type EventHandler,
  type InvocationDetails,
  type ProcedureHandler,
  Result,
  type Welcome,
} from "./types.ts";

interface Pending {
  resolve(message: WampMessage): void;
  reject(error: Error): void;
  onProgress?: ((args: unknown[], kwargs: Dict) => void) | undefined;
}

function payload(message: WampMessage, at: number): [unknown[], Dict] {
  const args = message[at];
  const kwargs = message[at + 1];
  return [Array.isArray(args) ? args : [], isDict(kwargs) ? kwargs : {}];
}

/** A joined WAMP client session. Create it with `joinRealm()`. */
export class WampClient {
  /** Session id. */
  readonly sessionId: number;
  /** WELCOME details (realm, authid, authrole, roles, …). */
  readonly details: Dict;
  /** Resolves when the session has ended, with the close reason. */
  readonly closed: Promise<string>;
  readonly #duplex: WampDuplex;
  readonly #ids = new IdCounter();
  readonly #pending = new Map<number, Pending>();
  readonly #handlers = new Map<number, Set<EventHandler>>();
  readonly #procedures = new Map<number, ProcedureHandler>();
  readonly #running = new Map<number, AbortController>();
  #state: "open" | "closing" | "closed" = "open";
  #closeReason = "";
  #resolveClosed!: (reason: string) => void;

  /**
   * Takes over a channel on which WELCOME was just received.
   *
   * @param duplex The channel.
   * @param welcome The WELCOME data.
   */
  constructor(duplex: WampDuplex, welcome: Welcome) {
    this.#duplex = duplex;
    this.sessionId = welcome.sessionId;
    this.details = welcome.details;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    duplex.onmessage = (message) => this.#onMessage(message);
    duplex.onclose = () => this.#ended(WAMP_ERRORS.TRANSPORT_LOST);
  }

  /** The joined realm. */
  get realm(): string {
    return String(this.details.realm);
  }

  /** The session's authid. */
  get authid(): string {
    return String(this.details.authid);
  }

  /** The session's role. */
  get authrole(): string {
    return String(this.details.authrole);
  }

  /** Whether the session is still open. */
  get isOpen(): boolean {
    return this.#state === "open";
  }

  /**
   * Publishes an event.
   *
   * @returns The publication id when `options.acknowledge` is true.
   */
  async publish(
    topic: string,
    args?: unknown[],
    kwargs?: Dict,
    options: Dict = {},
  ): Promise<number | undefined> {
    const id = this.#ids.next();
    const message = withPayload([T.PUBLISH, id, options, topic], args, kwargs);
    if (options.acknowledge !== true) {
      this.#send(message);
      return undefined;
    }
    const reply = await this.#request(id, message);
    return reply[2] as number;
  }

  /** Subscribes `handler` to `topic` (options: `match`, `get_retained`). */
  async subscribe(
    topic: string,
    handler: EventHandler,
    options: Dict = {},
  ): Promise<ClientSubscription> {
    const id = this.#ids.next();
    const reply = await this.#request(id, [T.SUBSCRIBE, id, options, topic]);
    const subscriptionId = reply[2] as number;
    let handlers = this.#handlers.get(subscriptionId);
    if (handlers === undefined) {
      handlers = new Set();
      this.#handlers.set(subscriptionId, handlers);
    }
    handlers.add(handler);
    return {
      id: subscriptionId,
      unsubscribe: async () => {
        const set = this.#handlers.get(subscriptionId);
        if (set === undefined || !set.delete(handler) || set.size > 0) return;
        this.#handlers.delete(subscriptionId);
        const rid = this.#ids.next();
        await this.#request(rid, [T.UNSUBSCRIBE, rid, subscriptionId]);
      },
    };
  }

  /** Calls `procedure`; rejects with {@link WampError} on an ERROR. */
  async call(
    procedure: string,
    args?: unknown[],
    kwargs?: Dict,
    options: CallOptions = {},
  ): Promise<CallResult> {
    const { signal } = options;
    signal?.throwIfAborted();
    const id = this.#ids.next();
    const callOptions: Dict = {};
    if (options.onProgress !== undefined) callOptions.receive_progress = true;
    if (options.timeout !== undefined) callOptions.timeout = options.timeout;
    if (options.discloseMe === true) callOptions.disclose_me = true;
    const message = withPayload(
      [T.CALL, id, callOptions, procedure],
      args,
      kwargs,
    );
    const onAbort = () => {
      const pending = this.#pending.get(id);
      if (pending === undefined) return;
      this.#pending.delete(id);
      this.#send([T.CANCEL, id, { mode: options.cancelMode ?? "killnowait" }]);
      pending.reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const reply = await this.#request(id, message, options.onProgress);
      const [resultArgs, resultKwargs] = payload(reply, 3);
      return { args: resultArgs, kwargs: resultKwargs };
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Registers `handler` for `procedure` (options: `match`, `invoke`). */
  async register(
    procedure: string,
    handler: ProcedureHandler,
    options: Dict = {},
  ): Promise<ClientRegistration> {
    const id = this.#ids.next();
    const reply = await this.#request(id, [
      T.REGISTER,
      id,
      options,
      procedure,
    ]);
    const registrationId = reply[2] as number;
    this.#procedures.set(registrationId, handler);
    return {
      id: registrationId,
      unregister: async () => {
        if (!this.#procedures.delete(registrationId)) return;
        const rid = this.#ids.next();
        await this.#request(rid, [T.UNREGISTER, rid, registrationId]);
      },
    };
  }

  /**
   * Leaves the realm (GOODBYE), waits briefly for the router's reply and
   * closes the channel. Idempotent.
   */
  async close(reason: string = WAMP_ERRORS.CLOSE_NORMAL): Promise<void> {
    if (this.#state === "open") {
      this.#state = "closing";
      this.#closeReason = reason;
      this.#send([T.GOODBYE, {}, reason]);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const wait = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 1000);
      });
      await Promise.race([this.closed, wait]);
      clearTimeout(timer);
      this.#ended(reason);
    }
    await this.closed;
  }

  /** Same as {@link WampClient.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #send(message: WampMessage): void {
    if (this.#state === "closed") {
      throw new WampError(WAMP_ERRORS.CLOSE_NORMAL, ["The session is closed"]);
    }
    this.#duplex.send(message);
  }

  #request(
    id: number,
    message: WampMessage,
    onProgress?: (args: unknown[], kwargs: Dict) => void,
  ): Promise<WampMessage> {
    return new Promise((resolve, reject) => {
      if (this.#state !== "open") {
        reject(
          new WampError(WAMP_ERRORS.CLOSE_NORMAL, ["The session is closed"]),
        );
        return;
      }
      this.#pending.set(id, { resolve, reject, onProgress });
      this.#duplex.send(message);
    });
  }

  #onMessage(message: WampMessage): void {
    switch (message[0]) {
      case T.EVENT:
        return this.#onEvent(message);
      case T.INVOCATION:
        return this.#onInvocation(message);
      case T.INTERRUPT:
        return this.#onInterrupt(message);
      case T.RESULT:
        return this.#onResult(message);
      case T.SUBSCRIBED:
      case T.UNSUBSCRIBED:
      case T.PUBLISHED:
      case T.REGISTERED:
      case T.UNREGISTERED:
        return this.#settle(message[1] as number, message);
      case T.ERROR: {
        const [args, kwargs] = payload(message, 5);
        const error = new WampError(String(message[4]), args, kwargs);
        return this.#settle(message[2] as number, error);
      }
      case T.GOODBYE:
        if (this.#state === "open") {
          this.#duplex.send([T.GOODBYE, {}, WAMP_ERRORS.GOODBYE_AND_OUT]);
        }
        this.#ended(
          this.#state === "closing" ? this.#closeReason : String(message[2]),
        );
        return;
      case T.ABORT:
        this.#ended(String(message[2]));
        return;
    }
  }

  #settle(id: number, outcome: WampMessage | Error): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  #onResult(message: WampMessage): void {
    const id = message[1] as number;
    const details = message[2];
    if (isDict(details) && details.progress === true) {
      const pending = this.#pending.get(id);
      const [args, kwargs] = payload(message, 3);
      pending?.onProgress?.(args, kwargs);
      return;
    }
    this.#settle(id, message);
  }

  #onEvent(message: WampMessage): void {
    const handlers = this.#handlers.get(message[1] as number);
    if (handlers === undefined) return;
    const [args, kwargs] = payload(message, 4);
    const details: EventDetails = {
      ...(message[3] as Dict),
      publication: message[2] as number,
    };
    for (const handler of handlers) {
      try {
        handler(args, kwargs, details);
      } catch {
        // An event handler's failure must not break delivery to the others.
      }
    }
  }

  #onInvocation(message: WampMessage): void {
    const invocationId = message[1] as number;
    const handler = this.#procedures.get(message[2] as number);
    if (handler === undefined) {
      this.#send([
        T.ERROR,
        T.INVOCATION,
        invocationId,
        {},
        WAMP_ERRORS.NO_SUCH_REGISTRATION,
      ]);
      return;
    }
    const [args, kwargs] = payload(message, 4);
    const controller = new AbortController();
    this.#running.set(invocationId, controller);
    const raw = message[3] as Dict;
    const details: InvocationDetails = { ...raw, signal: controller.signal };
    if (raw.receive_progress === true) {
      details.progress = (pargs?: unknown[], pkwargs?: Dict) => {
        if (!this.#running.has(invocationId) || this.#state === "closed") {
          return;
        }
        this.#duplex.send(
          withPayload(
            [T.YIELD, invocationId, { progress: true }],
            pargs,
            pkwargs,
          ),
        );
      };
    }
    new Promise((resolve) => resolve(handler(args, kwargs, details))).then(
      (value) => this.#reply(invocationId, value),
      (error) => this.#replyError(invocationId, error),
    );
  }

  #reply(invocationId: number, value: unknown): void {
    if (!this.#running.delete(invocationId) || this.#state === "closed") return;
    const message: WampMessage = [T.YIELD, invocationId, {}];
    if (value instanceof Result) withPayload(message, value.args, value.kwargs);
    else if (value !== undefined) message.push([value]);
    this.#duplex.send(message);
  }

  #replyError(invocationId: number, error: unknown): void {
    if (!this.#running.delete(invocationId) || this.#state === "closed") return;
    const wampError = error instanceof WampError
      ? error
      : new WampError(WAMP_ERRORS.RUNTIME_ERROR, [
        error instanceof Error ? error.message : String(error),
      ]);
    this.#duplex.send(
      withPayload(
        [T.ERROR, T.INVOCATION, invocationId, {}, wampError.uri],
        wampError.args,
        wampError.kwargs,
      ),
    );
  }

  #onInterrupt(message: WampMessage): void {
    const invocationId = message[1] as number;
    const controller = this.#running.get(invocationId);
    if (controller === undefined) return;
    this.#running.delete(invocationId);
    controller.abort(
      new WampError(WAMP_ERRORS.CANCELED, ["The call was canceled"]),
    );
    if (this.#state !== "closed") {
      this.#duplex.send([
        T.ERROR,
        T.INVOCATION,
        invocationId,
        {},
        WAMP_ERRORS.CANCELED,
      ]);
    }
  }

  #ended(reason: string): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    const error = new WampError(reason, ["The session has ended"]);
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    for (const controller of this.#running.values()) controller.abort(error);
    this.#running.clear();
    this.#handlers.clear();
    this.#procedures.clear();
    this.#duplex.close();
    this.#resolveClosed(reason);
  }
}
