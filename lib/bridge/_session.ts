/**
 * The one internal WAMP session of a bridge service: joined lazily on the
 * first request, re-joined when it has ended, left on `close()`; in-flight
 * requests are tracked so `close()` can wait for them.
 */
import type { Logger } from "../log/logger.ts";
import type { BridgeRouter, BridgeSession } from "./types.ts";

/** Holds a bridge service's session and its in-flight requests. */
export class SessionHolder {
  #router: BridgeRouter;
  #realm: string;
  #role: string;
  #logger: Logger;
  #session: Promise<BridgeSession> | undefined;
  #inFlight = new Set<Promise<unknown>>();
  #closed = false;

  /**
   * @param router The router to join.
   * @param realm The realm.
   * @param role The role the session acts under.
   * @param logger Where to log joins and failures.
   */
  constructor(
    router: BridgeRouter,
    realm: string,
    role: string,
    logger: Logger,
  ) {
    this.#router = router;
    this.#realm = realm;
    this.#role = role;
    this.#logger = logger;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The open session, joining (again) when needed.
   *
   * @returns The session.
   * @throws {Error} When the service is closed or the join fails.
   */
  async session(): Promise<BridgeSession> {
    if (this.#closed) throw new Error("The bridge service is closed");
    const current = this.#session;
    if (current !== undefined) {
      const session = await current.catch(() => undefined);
      if (session !== undefined && session.isOpen !== false) return session;
      if (this.#session === current) this.#session = undefined;
    }
    this.#session ??= this.#join();
    return await this.#session;
  }

  /**
   * Runs `work` as an in-flight request that `close()` waits for.
   *
   * @param work The request handling.
   * @returns What `work` returns.
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    const done = () => this.#inFlight.delete(work);
    work.then(done, done);
    return work;
  }

  /**
   * Waits for in-flight requests until `deadline`, then leaves the realm.
   *
   * @param deadline A `Date.now()` value. @default {now + 5 s}
   */
  async close(deadline: number = Date.now() + 5000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    });
    await Promise.race([Promise.allSettled([...this.#inFlight]), expired]);
    clearTimeout(timer);
    const session = await this.#session?.catch(() => undefined);
    this.#session = undefined;
    await session?.close();
  }

  async #join(): Promise<BridgeSession> {
    try {
      const session = await this.#router.connectLocal({
        realm: this.#realm,
        authrole: this.#role,
      });
      this.#logger.debug(
        `Joined realm "${this.#realm}" as role "${this.#role}"`,
      );
      if (this.#closed) {
        await session.close();
        throw new Error("The bridge service is closed");
      }
      return session;
    } catch (error) {
      this.#session = undefined;
      // A failed join is the node's problem, never the HTTP client's WAMP
      // error, so it must not look like a WampError to the services.
      throw new Error(
        `Cannot join realm "${this.#realm}" as role "${this.#role}": ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error },
      );
    }
  }
}
