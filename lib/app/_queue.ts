/**
 * A small push-to-pull queue behind the async iterables of the app API
 * (subscription events, progressive call results).
 *
 * @module
 */

/** Options for {@link AsyncQueue}. */
export interface AsyncQueueOptions {
  /** Most items kept while nobody reads; the oldest go first. */
  limit: number;
  /** Called once when a reader stops early (`break`, `return()`). */
  onReturn?: () => void;
}

/** Items pushed by a producer, read with `for await`. */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  #items: T[] = [];
  #waiting: PromiseWithResolvers<IteratorResult<T>> | undefined;
  #done = false;
  #error: unknown = undefined;
  #failed = false;
  #options: AsyncQueueOptions;

  /** @param options Buffer limit and early-stop callback. */
  constructor(options: AsyncQueueOptions) {
    this.#options = options;
  }

  /** Whether the queue has ended. */
  get done(): boolean {
    return this.#done;
  }

  /** Adds an item (dropped once ended). */
  push(item: T): void {
    if (this.#done) return;
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting.resolve({ value: item, done: false });
      return;
    }
    this.#items.push(item);
    if (this.#items.length > this.#options.limit) this.#items.shift();
  }

  /** Ends the queue; readers get the buffered items, then `error` or done. */
  end(error?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    if (error !== undefined) {
      this.#failed = true;
      this.#error = error;
    }
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting === undefined) return;
    if (this.#failed) waiting.reject(this.#error);
    else waiting.resolve({ value: undefined, done: true });
  }

  /** The next item. */
  next(): Promise<IteratorResult<T>> {
    if (this.#items.length > 0) {
      return Promise.resolve({ value: this.#items.shift()!, done: false });
    }
    if (this.#done) {
      if (this.#failed) {
        this.#failed = false;
        return Promise.reject(this.#error);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    this.#waiting ??= Promise.withResolvers<IteratorResult<T>>();
    return this.#waiting.promise;
  }

  /** Stops reading: drops the buffer and tells the producer. */
  return(): Promise<IteratorResult<T>> {
    const wasDone = this.#done;
    this.#items = [];
    this.#failed = false;
    this.end();
    if (!wasDone) this.#options.onReturn?.();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The queue itself. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
