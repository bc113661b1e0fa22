/**
 * The subscription handle behind `AppSession.subscribe()`.
 *
 * @module
 */
import type { ClientSubscription } from "../wamp/client/types.ts";
import { AsyncQueue } from "./_queue.ts";
import type { AppEvent, Subscription } from "./types.ts";

/** A {@link Subscription} fed by the session. */
export class SubscriptionHandle implements Subscription {
  /** The subscribed URI (or pattern). */
  readonly topic: string;
  #handle: ClientSubscription | undefined;
  #queue: AsyncQueue<AppEvent> | undefined;
  #limit: number;
  #stopped = false;
  #onStop: (handle: SubscriptionHandle) => void;

  /**
   * @param topic The subscribed URI.
   * @param limit Events buffered for iteration.
   * @param buffering Whether events are kept before the first iteration.
   * @param onStop Called once when it stops.
   */
  constructor(
    topic: string,
    limit: number,
    buffering: boolean,
    onStop: (handle: SubscriptionHandle) => void,
  ) {
    this.topic = topic;
    this.#limit = limit;
    this.#onStop = onStop;
    if (buffering) this.#queue = this.#newQueue();
  }

  /** The subscription id. */
  get id(): number {
    return this.#handle?.id ?? 0;
  }

  /** Whether the subscription is stopped (or its session ended). */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Stops delivery (idempotent). */
  async unsubscribe(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#queue?.end();
    this.#onStop(this);
    await this.#handle?.unsubscribe();
  }

  /** The events, as they arrive. */
  [Symbol.asyncIterator](): AsyncIterator<AppEvent> {
    if (this.#queue === undefined) {
      this.#queue = this.#newQueue();
      if (this.#stopped) this.#queue.end();
    }
    return this.#queue;
  }

  /** Binds the router's handle. */
  bind(handle: ClientSubscription): void {
    this.#handle = handle;
  }

  /** Delivers one event to a running loop. */
  deliver(event: AppEvent): void {
    this.#queue?.push(event);
  }

  /** The session ended. */
  end(): void {
    this.#stopped = true;
    this.#queue?.end();
  }

  #newQueue(): AsyncQueue<AppEvent> {
    return new AsyncQueue<AppEvent>({
      limit: this.#limit,
      onReturn: () => void this.unsubscribe().catch(() => {}),
    });
  }
}
