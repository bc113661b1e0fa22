/**
 * Config shapes of the HTTP bridge services (the config schema's output
 * types: every default lives in `lib/config/_schema/services.ts`) and the
 * small slice of the WAMP router the bridge needs.
 *
 * @module
 */
import type {
  PublisherServiceConfig,
  WebhookServiceConfig,
} from "../config/mod.ts";
import type { ServiceEnv } from "../web/services/service_env.ts";

/** A `publisher` service entry, as the config schema outputs it. */
export type { PublisherServiceConfig } from "../config/mod.ts";
/** A `caller` service entry, as the config schema outputs it. */
export type { CallerServiceConfig } from "../config/mod.ts";
/** A `webhook` service entry, as the config schema outputs it. */
export type { WebhookServiceConfig } from "../config/mod.ts";

/** `options` of a `publisher` or `caller` service (defaults applied). */
export type BridgeOptions = PublisherServiceConfig["options"];

/** `options` of a `webhook` service (defaults applied). */
export type WebhookOptions = WebhookServiceConfig["options"];

/** What a call through the bridge session resolves to. */
export interface BridgeCallResult {
  readonly args?: unknown[] | undefined;
  readonly kwargs?: Record<string, unknown> | undefined;
}

/** The in-process WAMP session the bridge drives (the router's client). */
export interface BridgeSession {
  /** Publishes; with `acknowledge` resolves to the publication id. */
  publish(
    topic: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: Record<string, unknown>,
  ): Promise<number | undefined>;
  /** Calls a procedure; rejects with a `WampError` on a WAMP error. */
  call(
    procedure: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: { timeout?: number; signal?: AbortSignal },
  ): Promise<BridgeCallResult>;
  /** Whether the session is still joined (re-joined when `false`). */
  readonly isOpen?: boolean;
  /** Leaves the realm. */
  close(): unknown;
}

/** Options of {@link BridgeRouter.connectLocal}. */
export interface ConnectLocalOptions {
  readonly realm: string;
  readonly authrole: string;
  readonly authid?: string;
}

/** The part of the WAMP router the bridge needs. */
export interface BridgeRouter {
  /** Opens an in-process session on `realm` under `authrole`. */
  connectLocal(options: ConnectLocalOptions): Promise<BridgeSession>;
}

/** What the node hands a bridge service factory. */
export interface BridgeEnv extends ServiceEnv {
  /** The router worker's WAMP router. */
  readonly router: BridgeRouter;
}
