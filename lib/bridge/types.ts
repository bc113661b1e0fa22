/**
 * Config shapes of the HTTP bridge services (keyed exactly like Crossbar's
 * JSON) and the small slice of the WAMP router the bridge needs.
 *
 * @module
 */
import type { ServiceEnv } from "../web/services/service_env.ts";

/** `options` of a `publisher` or `caller` service. */
export interface BridgeOptions {
  /** Log every request at debug level. @default {false} */
  readonly debug?: boolean | undefined;
  /** Key name of signed requests (goes with `secret`). */
  readonly key?: string | undefined;
  /**
   * HMAC secret; when set, every request must be signed.
   * Security: keep it out of version control.
   */
  readonly secret?: string | undefined;
  /** Refuse requests that did not arrive over TLS. @default {false} */
  readonly "require_tls"?: boolean | undefined;
  /** Networks (CIDR) allowed to post; absent means any. */
  readonly "require_ip"?: readonly string[] | undefined;
  /** Largest body in bytes; 0 means no limit. @default {0} */
  readonly "post_body_limit"?: number | undefined;
  /** Allowed clock skew of signed requests, seconds; 0 = none. @default {300} */
  readonly "timestamp_delta_limit"?: number | undefined;
}

/** A `publisher` or `caller` path service entry of Crossbar's config. */
export interface BridgeServiceConfig<T extends string = string> {
  readonly type: T;
  readonly id?: string | undefined;
  /** Realm the bridge session joins. */
  readonly realm: string;
  /** Role the bridge session acts under. */
  readonly role: string;
  readonly options?: BridgeOptions | undefined;
}

/** A `publisher` service entry. */
export type PublisherServiceConfig = BridgeServiceConfig<"publisher">;

/** A `caller` service entry. */
export type CallerServiceConfig = BridgeServiceConfig<"caller">;

/** `options` of a `webhook` service. */
export interface WebhookOptions {
  /** Topic every request is published to. */
  readonly topic: string;
  /** Body of the 202 answer. @default {"OK"} */
  readonly "success_response"?: string | undefined;
  /** Body of the 500 answer. @default {"NOT OK"} */
  readonly "error_response"?: string | undefined;
  /** Secret for GitHub's `X-Hub-Signature(-256)` header. */
  readonly "github_secret"?: string | undefined;
  /** Largest body in bytes; 0 means no limit. @default {0} */
  readonly "post_body_limit"?: number | undefined;
  /** Log every request at debug level. @default {false} */
  readonly debug?: boolean | undefined;
}

/** A `webhook` path service entry of Crossbar's config. */
export interface WebhookServiceConfig {
  readonly type: "webhook";
  readonly id?: string | undefined;
  readonly realm: string;
  readonly role: string;
  readonly options: WebhookOptions;
}

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
