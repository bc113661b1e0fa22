/**
 * The WAMP session of a hosted app: publish, call (also progressive, as an
 * async iterable), subscribe (handler or async iterable) and register, on
 * the node's own router.
 *
 * @module
 */
import type { WampClient } from "../wamp/client/wamp_client.ts";
import type { Dict } from "../wamp/messages.ts";
import { AsyncQueue } from "./_queue.ts";
import { SubscriptionHandle } from "./_subscription.ts";
import type {
  AppEvent,
  AppEventHandler,
  AppProcedure,
  CallOptions,
  CallResult,
  Kwargs,
  ProgressiveCallOptions,
  ProgressiveResult,
  PublishOptions,
  RegisterOptions,
  Registration,
  SubscribeOptions,
  Subscription,
} from "./types.ts";

/** Default number of events a subscription keeps for `for await`. */
const DEFAULT_BUFFER = 1024;

/**
 * The app's session on the node's router. Get it with `wamp()`. Every
 * method rejects with a `WampError` (`uri`, `args`, `kwargs`) when the
 * router answers with an error, e.g. `wamp.error.not_authorized` when the
 * role of the path's `wamp` config lacks the permission.
 */
export interface AppSession {
  /** Session id (as the meta API shows it). */
  readonly sessionId: number;
  /** The joined realm. */
  readonly realm: string;
  /** The session's authid. */
  readonly authid: string;
  /** The session's role. */
  readonly authrole: string;
  /** Whether the session is still joined. */
  readonly isOpen: boolean;
  /** Resolves with the close reason when the session ends. */
  readonly closed: Promise<string>;

  /**
   * Publishes an event.
   *
   * @returns The publication id when `options.acknowledge` is true.
   */
  publish(
    topic: string,
    args?: unknown[],
    kwargs?: Kwargs,
    options?: PublishOptions,
  ): Promise<number | undefined>;

  /** Calls a procedure and resolves with its final result. */
  call(
    procedure: string,
    args?: unknown[],
    kwargs?: Kwargs,
    options?: CallOptions,
  ): Promise<CallResult>;

  /**
   * Calls a procedure asking for progressive results: yields each of them
   * (`progress: true`), then the final result (`progress: false`).
   * Leaving the loop early cancels the call.
   */
  callProgressive(
    procedure: string,
    args?: unknown[],
    kwargs?: Kwargs,
    options?: ProgressiveCallOptions,
  ): AsyncIterableIterator<ProgressiveResult>;

  /**
   * Subscribes to a topic. With a handler, events go to it; without, they
   * are kept for `for await` over the returned subscription.
   */
  subscribe(
    topic: string,
    handler?: AppEventHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription>;

  /** Registers a procedure. */
  register(
    procedure: string,
    handler: AppProcedure,
    options?: RegisterOptions,
  ): Promise<Registration>;
}

class ClientAppSession implements AppSession {
  readonly #client: WampClient;
  readonly #subscriptions = new Set<SubscriptionHandle>();

  constructor(client: WampClient) {
    this.#client = client;
    client.closed.then(() => {
      for (const subscription of this.#subscriptions) subscription.end();
      this.#subscriptions.clear();
    });
  }

  get sessionId(): number {
    return this.#client.sessionId;
  }

  get realm(): string {
    return this.#client.realm;
  }

  get authid(): string {
    return this.#client.authid;
  }

  get authrole(): string {
    return this.#client.authrole;
  }

  get isOpen(): boolean {
    return this.#client.isOpen;
  }

  get closed(): Promise<string> {
    return this.#client.closed;
  }

  publish(
    topic: string,
    args?: unknown[],
    kwargs?: Kwargs,
    options: PublishOptions = {},
  ): Promise<number | undefined> {
    return this.#client.publish(topic, args, kwargs, publishDict(options));
  }

  call(
    procedure: string,
    args?: unknown[],
    kwargs?: Kwargs,
    options: CallOptions = {},
  ): Promise<CallResult> {
    return this.#client.call(procedure, args, kwargs, options);
  }

  callProgressive(
    procedure: string,
    args?: unknown[],
    kwargs?: Kwargs,
    options: ProgressiveCallOptions = {},
  ): AsyncIterableIterator<ProgressiveResult> {
    const controller = new AbortController();
    const signal = options.signal === undefined
      ? controller.signal
      : AbortSignal.any([options.signal, controller.signal]);
    const queue = new AsyncQueue<ProgressiveResult>({
      limit: Number.MAX_SAFE_INTEGER,
      onReturn: () =>
        controller.abort(new DOMException("Stopped", "AbortError")),
    });
    this.#client.call(procedure, args, kwargs, {
      ...options,
      signal,
      onProgress: (a, k) => queue.push({ args: a, kwargs: k, progress: true }),
    }).then((result) => {
      queue.push({ ...result, progress: false });
      queue.end();
    }, (error) => queue.end(error));
    return queue;
  }

  async subscribe(
    topic: string,
    handler?: AppEventHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const subscription = new SubscriptionHandle(
      topic,
      Math.max(1, options.buffer ?? DEFAULT_BUFFER),
      handler === undefined,
      (stopped) => this.#subscriptions.delete(stopped),
    );
    const dict: Dict = {};
    if (options.match !== undefined && options.match !== "exact") {
      dict.match = options.match;
    }
    if (options.getRetained === true) dict.get_retained = true;
    const handle = await this.#client.subscribe(
      topic,
      (args, kwargs, details) => {
        const event: AppEvent = { args, kwargs, details };
        subscription.deliver(event);
        handler?.(args, kwargs, details);
      },
      dict,
    );
    subscription.bind(handle);
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async register(
    procedure: string,
    handler: AppProcedure,
    options: RegisterOptions = {},
  ): Promise<Registration> {
    const dict: Dict = {};
    if (options.match !== undefined && options.match !== "exact") {
      dict.match = options.match;
    }
    if (options.invoke !== undefined && options.invoke !== "single") {
      dict.invoke = options.invoke;
    }
    const handle = await this.#client.register(procedure, handler, dict);
    return {
      id: handle.id,
      procedure,
      unregister: () => handle.unregister(),
    };
  }
}

function publishDict(options: PublishOptions): Dict {
  const dict: Dict = {};
  const keys: [keyof PublishOptions, string][] = [
    ["acknowledge", "acknowledge"],
    ["excludeMe", "exclude_me"],
    ["exclude", "exclude"],
    ["eligible", "eligible"],
    ["excludeAuthid", "exclude_authid"],
    ["eligibleAuthid", "eligible_authid"],
    ["excludeAuthrole", "exclude_authrole"],
    ["eligibleAuthrole", "eligible_authrole"],
    ["retain", "retain"],
    ["discloseMe", "disclose_me"],
  ];
  for (const [key, wire] of keys) {
    if (options[key] !== undefined) dict[wire] = options[key];
  }
  return dict;
}

/**
 * Wraps a joined client as an {@link AppSession}.
 *
 * @param client A joined in-process client.
 * @returns The app session.
 */
export function createAppSession(client: WampClient): AppSession {
  return new ClientAppSession(client);
}
