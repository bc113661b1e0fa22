/**
 * The API of a WAMP component written in TypeScript: what a component
 * module exports and what it is given.
 *
 * @module
 */
import type { AppSession } from "../app/app_session.ts";

/** The session a component works with (the same API as a hosted app's). */
export type ComponentSession = AppSession;

/** What a component learns about itself when it is created. */
export interface ComponentConfig {
  /** The realm it joins. */
  readonly realm: string;
  /** The config's `extra`, with `cbdir` added when `extra` is an object. */
  readonly extra: unknown;
  /** The node directory (absolute). */
  readonly cbdir: string;
  /** The component's id (config `id`, or one the node made up). */
  readonly id: string;
}

/** Facts about the joined session (autobahn's `SessionDetails`). */
export interface JoinDetails {
  /** The realm joined. */
  readonly realm: string;
  /** The session id. */
  readonly session: number;
  /** The session's authid. */
  readonly authid: string;
  /** The session's role. */
  readonly authrole: string;
}

/** Why a session ended (autobahn's `CloseDetails`). */
export interface LeaveDetails {
  /** The close reason URI, e.g. `wamp.close.normal`. */
  readonly reason: string;
}

/** What a function component receives besides its session. */
export interface ComponentContext extends ComponentConfig {
  /** The joined session's facts. */
  readonly details: JoinDetails;
}

/** Undoes what a function component set up; runs when it leaves. */
export type ComponentCleanup = () => void | Promise<void>;

/**
 * A function component: runs once the session has joined; the node counts
 * it as started when the returned promise resolves. May return a cleanup.
 */
export type ComponentFunction = (
  session: ComponentSession,
  context: ComponentContext,
) =>
  | void
  | ComponentCleanup
  | Promise<void | ComponentCleanup>;

/**
 * A class component, the shape of an autobahn `ApplicationSession`:
 * constructed with the component's config, then `onJoin` once joined (the
 * node counts it as started when `onJoin` resolves) and `onLeave` when the
 * session ends.
 */
export interface ComponentInstance {
  /** The session has joined: register, subscribe, start work. */
  onJoin(
    session: ComponentSession,
    details: JoinDetails,
  ): void | Promise<void>;
  /** The session is ending or has ended. */
  onLeave?(details: LeaveDetails): void | Promise<void>;
}

/** The constructor of a class component. */
export type ComponentClass = new (config: ComponentConfig) => ComponentInstance;

/**
 * The optional `checkConfig` export: validates `extra` during `check` and
 * before the component starts. Throw (or return a message) to reject.
 */
export type CheckConfig = (
  extra: unknown,
) => void | string | Promise<void | string>;
