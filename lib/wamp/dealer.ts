/**
 * The dealer: registrations (exact > longest prefix > best wildcard),
 * shared registrations with invocation policies, calls with caller
 * identification, progressive results, cancelling and timeouts, and the
 * router's own procedures (meta API).
 *
 * The dealer owns its per-peer indexes (registrations, calls in flight by
 * caller and by callee, router-side request ids) as `Map<Peer, …>`, and
 * knows its realm only through a {@link Gate}, {@link DealerEvents} and the
 * routing seam (`routing.ts`), so it is unit-tested with fake peers and no
 * realm.
 *
 * @module
 */
import { authorizeThen, checkUri, readBool, readMatch } from "./_checks.ts";
import { ProtocolViolationError, WAMP_ERRORS, WampError } from "./errors.ts";
import { randomId } from "./ids.ts";
import {
  type CallMessage,
  type CancelMessage,
  copyPayload,
  type Dict,
  type ErrorMessage,
  errorMessage,
  MESSAGE_TYPES as T,
  passthroughOptions,
  type RegisterMessage,
  type UnregisterMessage,
  type YieldMessage,
} from "./messages.ts";
import type { Gate, Peer } from "./peer.ts";
import type { RealmBackplane } from "./routing.ts";
import type { MatchPolicy } from "./uri.ts";
import {
  CANCEL_MODES,
  type InvokePolicy,
  pickCallee,
  readInvoke,
  readTimeout,
} from "./_call_options.ts";

export { INVOKE_POLICIES, type InvokePolicy } from "./_call_options.ts";
import { type PatternLists, PatternTable } from "./_pattern_table.ts";

/** A registration: one (procedure, match) pair and its callees. */
export interface Registration<P extends Peer = Peer> {
  /** Registration id. */
  readonly id: number;
  /** Procedure or pattern. */
  readonly uri: string;
  /** Match policy. */
  readonly match: MatchPolicy;
  /** Pattern components (wildcard only). */
  readonly parts: readonly string[];
  /** Invocation policy. */
  readonly invoke: InvokePolicy;
  /** Creation time (ISO). */
  readonly created: string;
  /** Callees in registration order. */
  readonly callees: P[];
  /** Round-robin cursor. */
  next: number;
}

/** A call in flight from a caller to a callee. */
export interface Invocation<P extends Peer = Peer> {
  /** INVOCATION request id (callee's scope). */
  readonly id: number;
  /** The caller. */
  readonly caller: P;
  /** The caller's CALL request id. */
  readonly callId: number;
  /** The callee. */
  readonly callee: P;
  /** Whether the caller wants progressive results. */
  readonly receiveProgress: boolean;
  /** Call timeout timer. */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** A procedure the router itself implements (meta API). */
export type InternalProcedure<P extends Peer = Peer> = (
  caller: P,
  args: unknown[],
  kwargs: Dict,
) => unknown;

/** Registration changes, for the meta API (and a backplane observing it). */
export interface DealerEvents<P extends Peer> {
  /** A registration was created by `peer`'s REGISTER. */
  onRegistrationCreate(peer: P, registration: Registration<P>): void;
  /** `peer` became a callee of a registration. */
  onRegister(peer: P, registration: Registration<P>): void;
  /** `peer` stopped being a callee of a registration. */
  onUnregister(peer: P, registration: Registration<P>): void;
  /** A registration lost its last callee (`peer`). */
  onRegistrationDelete(peer: P, registration: Registration<P>): void;
}

/** What a {@link Dealer} needs from its realm. */
export interface DealerOptions<P extends Peer> {
  /** Authorization, URI check and membership. */
  readonly gate: Gate<P>;
  /** Where registration changes are reported. */
  readonly events: DealerEvents<P>;
  /** The current backplane, if the realm is routed elsewhere too. */
  readonly backplane?: () => RealmBackplane<P> | undefined;
}

const CANCELED = () =>
  new WampError(WAMP_ERRORS.CANCELED, ["The call was canceled"]);

/** The RPC half of a realm. */
export class Dealer<P extends Peer = Peer> {
  readonly #gate: Gate<P>;
  readonly #events: DealerEvents<P>;
  readonly #backplane: () => RealmBackplane<P> | undefined;
  readonly #registrations = new PatternTable<Registration<P>>();
  readonly #internal = new Map<string, InternalProcedure<P>>();
  /** Registrations each peer is a callee of. */
  readonly #registered = new Map<P, Set<Registration<P>>>();
  /** Invocations sent to each callee, by INVOCATION request id. */
  readonly #invocations = new Map<P, Map<number, Invocation<P>>>();
  /** Calls made by each caller, by CALL request id. */
  readonly #calls = new Map<P, Map<number, Invocation<P>>>();
  /** Last router-side request id used towards each callee. */
  readonly #requestIds = new Map<P, number>();

  /** @param options The realm's gate, meta events and backplane. */
  constructor(options: DealerOptions<P>) {
    this.#gate = options.gate;
    this.#events = options.events;
    this.#backplane = options.backplane ?? (() => undefined);
  }

  /** Adds a procedure implemented by the router itself. */
  registerInternal(uri: string, procedure: InternalProcedure<P>): void {
    this.#internal.set(uri, procedure);
  }

  /** Handles REGISTER `[64, Request, Options, Procedure]`. */
  register(peer: P, message: RegisterMessage): void {
    const [, requestId, options, uri] = message;
    const match = readMatch(options, "REGISTER");
    const invoke = readInvoke(options);
    checkUri(this.#gate, peer, uri, match, "register");
    const request = { uri, action: "register" as const, options };
    authorizeThen(this.#gate, peer, message, request, () => {
      let registration = this.#registrations.get(uri, match);
      if (registration !== undefined) {
        if (
          registration.invoke === "single" ||
          registration.callees.includes(peer)
        ) {
          throw new WampError(WAMP_ERRORS.PROCEDURE_ALREADY_EXISTS, [
            `Procedure "${uri}" is already registered`,
          ]);
        }
        if (registration.invoke !== invoke) {
          throw new WampError(
            WAMP_ERRORS.PROCEDURE_EXISTS_INVOCATION_POLICY_CONFLICT,
            [
              `Procedure "${uri}" is registered with invocation policy "${registration.invoke}", not "${invoke}"`,
            ],
          );
        }
      }
      this.#backplane()?.checkRegister(peer, uri, match, invoke);
      const created = registration === undefined;
      if (registration === undefined) {
        registration = {
          id: randomId(),
          uri,
          match,
          parts: match === "wildcard" ? uri.split(".") : [],
          invoke,
          created: new Date().toISOString(),
          callees: [],
          next: 0,
        };
        this.#registrations.add(registration);
      }
      registration.callees.push(peer);
      indexed(this.#registered, peer, () => new Set()).add(registration);
      peer.send([T.REGISTERED, requestId, registration.id]);
      if (created) this.#events.onRegistrationCreate(peer, registration);
      this.#events.onRegister(peer, registration);
    });
  }

  /** Handles UNREGISTER `[66, Request, Registration]`. */
  unregister(peer: P, message: UnregisterMessage): void {
    const [, requestId, registrationId] = message;
    const registration = this.#registrations.byId(registrationId);
    if (registration === undefined || !registration.callees.includes(peer)) {
      throw new WampError(WAMP_ERRORS.NO_SUCH_REGISTRATION, [
        `No registration ${registrationId} for this session`,
      ]);
    }
    this.#drop(peer, registration);
    peer.send([T.UNREGISTERED, requestId]);
    this.#afterDrop(peer, registration);
  }

  /** Handles CALL `[48, Request, Options, Procedure, Args?, KwArgs?]`. */
  call(peer: P, message: CallMessage): void {
    const [, callId, options, procedure] = message;
    const timeout = readTimeout(options);
    const receiveProgress =
      readBool(options, "receive_progress", "CALL") === true;
    // Checked, then ignored as in Crossbar 21.3.1: the role decides.
    readBool(options, "disclose_me", "CALL");
    if (this.#calls.get(peer)?.has(callId)) {
      throw new ProtocolViolationError(
        `Invalid CALL: request id ${callId} is already in use by a pending call`,
      );
    }
    checkUri(this.#gate, peer, procedure, "exact", "call");
    const request = { uri: procedure, action: "call" as const, options };
    authorizeThen(this.#gate, peer, message, request, (auth) => {
      const registration = this.#registrations.best(procedure);
      const backplane = this.#backplane();
      if (
        backplane !== undefined &&
        backplane.routeCall(peer, message, registration, auth.disclose)
      ) return;
      if (registration === undefined) {
        const internal = this.#internal.get(procedure);
        if (internal !== undefined) {
          this.#callInternal(peer, message, internal);
          return;
        }
        throw new WampError(WAMP_ERRORS.NO_SUCH_PROCEDURE, [
          `No callee registered for procedure "${procedure}"`,
        ]);
      }
      const callee = pickCallee(registration);
      const invocation: Invocation<P> = {
        id: this.#nextRequestId(callee),
        caller: peer,
        callId,
        callee,
        receiveProgress,
        timer: undefined,
      };
      const details: Dict = { ...passthroughOptions(options) };
      if (registration.match !== "exact") details.procedure = procedure;
      if (receiveProgress) details.receive_progress = true;
      if (auth.disclose) {
        details.caller = peer.id;
        details.caller_authid = peer.authid;
        details.caller_authrole = peer.authrole;
      }
      indexed(this.#calls, peer, () => new Map()).set(callId, invocation);
      indexed(this.#invocations, callee, () => new Map()).set(
        invocation.id,
        invocation,
      );
      if (timeout > 0) {
        invocation.timer = setTimeout(() => this.#timeout(invocation), timeout);
      }
      callee.send(
        copyPayload(
          [T.INVOCATION, invocation.id, registration.id, details],
          message,
          4,
        ),
      );
    });
  }

  /** Handles YIELD `[70, Invocation, Options, Args?, KwArgs?]`. */
  yield(peer: P, message: YieldMessage): void {
    const [, invocationId, options] = message;
    const invocation = this.#invocations.get(peer)?.get(invocationId);
    if (invocation === undefined) return;
    const progress = readBool(options, "progress", "YIELD") === true;
    const details: Dict = { ...passthroughOptions(options) };
    if (progress) {
      if (invocation.receiveProgress) {
        details.progress = true;
        invocation.caller.send(
          copyPayload([T.RESULT, invocation.callId, details], message, 3),
        );
      }
      return;
    }
    this.#finish(invocation);
    invocation.caller.send(
      copyPayload([T.RESULT, invocation.callId, details], message, 3),
    );
  }

  /** Handles ERROR `[8, 68, Invocation, Details, Error, Args?, KwArgs?]`. */
  invocationError(peer: P, message: ErrorMessage): void {
    const [, , invocationId, details, uri] = message;
    const invocation = this.#invocations.get(peer)?.get(invocationId);
    if (invocation === undefined) return;
    this.#finish(invocation);
    invocation.caller.send(
      copyPayload(
        [T.ERROR, T.CALL, invocation.callId, details, uri],
        message,
        5,
      ),
    );
  }

  /** Handles CANCEL `[49, Request, Options]`. */
  cancel(peer: P, message: CancelMessage): void {
    const [, callId, options] = message;
    const mode = options.mode ?? "killnowait";
    if (typeof mode !== "string" || !CANCEL_MODES.has(mode)) {
      throw new ProtocolViolationError(
        'Invalid CANCEL: option "mode" must be "skip", "kill" or "killnowait"',
      );
    }
    const invocation = this.#calls.get(peer)?.get(callId);
    if (invocation === undefined) {
      this.#backplane()?.cancel(peer, callId, mode);
      return;
    }
    const callee = invocation.callee;
    const canInterrupt = callee.features.calleeCanCancel && mode !== "skip";
    if (canInterrupt) {
      callee.send([T.INTERRUPT, invocation.id, { mode }]);
      if (mode === "kill") return;
    }
    this.#finish(invocation);
    peer.send(errorMessage(T.CALL, invocation.callId, CANCELED()));
  }

  /** Cleans up after a leaving peer: its registrations and calls. */
  removePeer(peer: P): void {
    for (const invocation of [...this.#invocations.get(peer)?.values() ?? []]) {
      this.#finish(invocation);
      invocation.caller.send(
        errorMessage(
          T.CALL,
          invocation.callId,
          new WampError(WAMP_ERRORS.CANCELED, [
            "The callee disconnected from the in-flight call",
          ]),
        ),
      );
    }
    for (const invocation of [...this.#calls.get(peer)?.values() ?? []]) {
      this.#finish(invocation);
      if (invocation.callee.features.calleeCanCancel) {
        invocation.callee.send([T.INTERRUPT, invocation.id, {
          mode: "killnowait",
        }]);
      }
    }
    for (const registration of [...this.#registered.get(peer) ?? []]) {
      this.#drop(peer, registration);
      this.#afterDrop(peer, registration);
    }
    this.#registered.delete(peer);
    this.#invocations.delete(peer);
    this.#calls.delete(peer);
    this.#requestIds.delete(peer);
  }

  /** Same as {@link Dealer.removePeer}. */
  removeSession(peer: P): void {
    this.removePeer(peer);
  }

  /** The registrations `peer` is a callee of. */
  registrationsOf(peer: P): ReadonlySet<Registration<P>> {
    return this.#registered.get(peer) ?? new Set();
  }

  /** How many calls `peer` has in flight as caller and as callee. */
  pendingOf(peer: P): { calls: number; invocations: number } {
    return {
      calls: this.#calls.get(peer)?.size ?? 0,
      invocations: this.#invocations.get(peer)?.size ?? 0,
    };
  }

  /**
   * Removes callee `sessionId` from registration `id` (meta API), telling
   * it when it supports registration revocation.
   *
   * @throws {WampError} When there is no such registration or callee.
   */
  removeCallee(id: number, sessionId: number, reason?: string): void {
    const registration = this.getRegistration(id);
    const peer = registration.callees.find((p) => p.id === sessionId);
    if (peer === undefined) {
      throw new WampError(WAMP_ERRORS.NO_SUCH_SESSION, [
        `Session ${sessionId} is not a callee of registration ${id}`,
      ]);
    }
    this.#drop(peer, registration);
    if (peer.features.calleeRevocation) {
      peer.send([T.UNREGISTERED, 0, {
        registration: id,
        ...(reason === undefined ? {} : { reason }),
      }]);
    }
    this.#afterDrop(peer, registration);
  }

  /** Registration ids by match policy. */
  list(): PatternLists {
    return this.#registrations.list();
  }

  /** The registration for exactly (`uri`, `match`), if any. */
  lookup(uri: string, match: MatchPolicy): Registration<P> | undefined {
    return this.#registrations.get(uri, match);
  }

  /** The registration a call to `procedure` would reach, if any. */
  find(procedure: string): Registration<P> | undefined {
    return this.#registrations.best(procedure);
  }

  /**
   * The registration with `id`.
   *
   * @throws {WampError} `wamp.error.no_such_registration`.
   */
  getRegistration(id: unknown): Registration<P> {
    const registration = this.#registrations.byId(id);
    if (registration === undefined) {
      throw new WampError(WAMP_ERRORS.NO_SUCH_REGISTRATION, [
        `No registration with id ${JSON.stringify(id)} exists on this realm`,
      ]);
    }
    return registration;
  }

  #nextRequestId(callee: P): number {
    const next = (this.#requestIds.get(callee) ?? 0) % 9007199254740992 + 1;
    this.#requestIds.set(callee, next);
    return next;
  }

  #callInternal(
    peer: P,
    message: CallMessage,
    procedure: InternalProcedure<P>,
  ): void {
    const [, callId, , , args, kwargs] = message;
    const reply = (value: unknown) => {
      if (!this.#gate.isActive(peer)) return;
      peer.send(
        value === undefined
          ? [T.RESULT, callId, {}]
          : [T.RESULT, callId, {}, [value]],
      );
    };
    const fail = (error: unknown) => this.#gate.failed(peer, error, message);
    const result = procedure(
      peer,
      Array.isArray(args) ? args : [],
      kwargs ?? {},
    );
    if (result instanceof Promise) result.then(reply, fail);
    else reply(result);
  }

  #timeout(invocation: Invocation<P>): void {
    invocation.timer = undefined;
    this.#finish(invocation);
    if (invocation.callee.features.calleeCanCancel) {
      invocation.callee.send([T.INTERRUPT, invocation.id, {
        mode: "killnowait",
      }]);
    }
    invocation.caller.send(
      errorMessage(
        T.CALL,
        invocation.callId,
        new WampError(WAMP_ERRORS.TIMEOUT, ["The call timed out"]),
      ),
    );
  }

  #finish(invocation: Invocation<P>): void {
    clearTimeout(invocation.timer);
    this.#calls.get(invocation.caller)?.delete(invocation.callId);
    this.#invocations.get(invocation.callee)?.delete(invocation.id);
  }

  #drop(peer: P, registration: Registration<P>): void {
    const index = registration.callees.indexOf(peer);
    if (index >= 0) registration.callees.splice(index, 1);
    this.#registered.get(peer)?.delete(registration);
    if (registration.callees.length === 0) {
      this.#registrations.delete(registration);
    }
  }

  #afterDrop(peer: P, registration: Registration<P>): void {
    this.#events.onUnregister(peer, registration);
    if (registration.callees.length === 0) {
      this.#events.onRegistrationDelete(peer, registration);
    }
  }
}

/** The entry of `key` in a per-peer index, created on first use. */
function indexed<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
