/**
 * The hand-over between the app host and the app API inside one app
 * worker. The app thread's entry (`lib/apphost/app_thread.ts`) installs the slot
 * before it imports the app module; `wamp()` reads it. A `Symbol.for` key
 * keeps the hand-over working even when the app reaches this folder
 * through another specifier (an import map entry or a relative path).
 *
 * @module
 */

/** The global key of the slot. */
export const APP_HOST_SLOT: unique symbol = Symbol.for(
  "crossbar.app.host",
) as never;

/** What the app host tells the app API. */
export interface AppHostSlot {
  /** The wsgi path the app is mounted at, for messages (e.g. `"/app"`). */
  readonly path: string;
  /**
   * The worker's end of the WAMP channel to the node's router and the
   * realm it leads to, or `undefined` when the path has no `wamp` config.
   */
  readonly wamp: { port: MessagePort; realm: string } | undefined;
}

/**
 * Installs the slot; called once by the worker entry before the app module
 * is imported.
 *
 * @param slot The worker's hand-over.
 */
export function installAppHost(slot: AppHostSlot): void {
  Object.defineProperty(globalThis, APP_HOST_SLOT, {
    value: Object.freeze({ ...slot }),
    configurable: true,
    enumerable: false,
    writable: false,
  });
}

/**
 * Reads the slot.
 *
 * @returns The hand-over, or `undefined` outside an app worker.
 */
export function readAppHost(): AppHostSlot | undefined {
  return (globalThis as Record<symbol, AppHostSlot | undefined>)[
    APP_HOST_SLOT
  ];
}
