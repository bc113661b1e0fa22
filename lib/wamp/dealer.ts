/**
 * The dealer: registrations (exact > longest prefix > best wildcard),
 * shared registrations with invocation policies, calls with caller
 * identification, progressive results, cancelling and timeouts, and the
 * router's own procedures (meta API).
 *
 * @module
 */
import { authorizeThen, checkUri, readBool, readMatch } from "./_checks.ts";
import { ProtocolViolationError, WAMP_ERRORS, WampError } from "./errors.ts";
import { randomId } from "./ids.ts";
import {
  copyPayload,
  type Dict,
  MESSAGE_TYPES as T,
  passthroughOptions,
} from "./messages.ts";
import type { Realm } from "./realm.ts";
import type { Session } from "./session.ts";
import type { WampMessage } from "./transport.ts";
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
export interface Registration {
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
  readonly callees: Session[];
  /** Round-robin cursor. */
  next: number;
}

/** A call in flight from a caller to a callee. */
export interface Invocation {
  /** INVOCATION request id (callee's scope). */
  readonly id: number;
  /** The caller. */
  readonly caller: Session;
  /** The caller's CALL request id. */
  readonly callId: number;
  /** The callee. */
  readonly callee: Session;
  /** Whether the caller wants progressive results. */
  readonly receiveProgress: boolean;
  /** Call timeout timer. */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** A procedure the router itself implements (meta API). */
export type InternalProcedure = (
  caller: Session,
  args: unknown[],
  kwargs: Dict,
) => unknown;

/** The RPC half of a realm. */
export class Dealer {
  readonly #realm: Realm;
  readonly #registrations = new PatternTable<Registration>();
  readonly #internal = new Map<string, InternalProcedure>();

  /** @param realm The realm this dealer serves. */
  constructor(realm: Realm) {
    this.#realm = realm;
  }

  /** Adds a procedure implemented by the router itself. */
  registerInternal(uri: string, procedure: InternalProcedure): void {
    this.#internal.set(uri, procedure);
  }

  /** Handles REGISTER `[64, Request, Options, Procedure]`. */
  register(session: Session, message: WampMessage): void {
    const requestId = message[1] as number;
    const options = message[2] as Dict;
    const uri = message[3] as string;
    const match = readMatch(options, "REGISTER");
    const invoke = readInvoke(options);
    checkUri(session, uri, match, "register");
    authorizeThen(session, message, uri, "register", options, () => {
      let registration = this.#registrations.get(uri, match);
      if (registration !== undefined) {
        if (
          registration.invoke === "single" ||
          registration.callees.includes(session)
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
      registration.callees.push(session);
      session.registrations.add(registration);
      session.send([T.REGISTERED, requestId, registration.id]);
      if (created) this.#realm.meta.onRegistrationCreate(session, registration);
      this.#realm.meta.onRegister(session, registration);
    });
  }

  /** Handles UNREGISTER `[66, Request, Registration]`. */
  unregister(session: Session, message: WampMessage): void {
    const registration = this.#registrations.byId(message[2]);
    if (registration === undefined || !registration.callees.includes(session)) {
      throw new WampError(WAMP_ERRORS.NO_SUCH_REGISTRATION, [
        `No registration ${message[2]} for this session`,
      ]);
    }
    this.#drop(session, registration);
    session.send([T.UNREGISTERED, message[1]]);
    this.#afterDrop(session, registration);
  }

  /** Handles CALL `[48, Request, Options, Procedure, Args?, KwArgs?]`. */
  call(session: Session, message: WampMessage): void {
    const callId = message[1] as number;
    const options = message[2] as Dict;
    const procedure = message[3] as string;
    const timeout = readTimeout(options);
    const receiveProgress =
      readBool(options, "receive_progress", "CALL") === true;
    // Checked, then ignored as in Crossbar 21.3.1: the role decides.
    readBool(options, "disclose_me", "CALL");
    if (session.calls.has(callId)) {
      throw new ProtocolViolationError(
        `Invalid CALL: request id ${callId} is already in use by a pending call`,
      );
    }
    checkUri(session, procedure, "exact", "call");
    authorizeThen(session, message, procedure, "call", options, (auth) => {
      const registration = this.#registrations.best(procedure);
      if (registration === undefined) {
        const internal = this.#internal.get(procedure);
        if (internal !== undefined) {
          this.#callInternal(session, message, internal);
          return;
        }
        throw new WampError(WAMP_ERRORS.NO_SUCH_PROCEDURE, [
          `No callee registered for procedure "${procedure}"`,
        ]);
      }
      const callee = pickCallee(registration);
      const invocation: Invocation = {
        id: callee.nextRequestId(),
        caller: session,
        callId,
        callee,
        receiveProgress,
        timer: undefined,
      };
      const details: Dict = { ...passthroughOptions(options) };
      if (registration.match !== "exact") details.procedure = procedure;
      if (receiveProgress) details.receive_progress = true;
      if (auth.disclose) {
        details.caller = session.id;
        details.caller_authid = session.authid;
        details.caller_authrole = session.authrole;
      }
      session.calls.set(callId, invocation);
      callee.invocations.set(invocation.id, invocation);
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
  yield(session: Session, message: WampMessage): void {
    const invocation = session.invocations.get(message[1] as number);
    if (invocation === undefined) return;
    const options = message[2] as Dict;
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
  invocationError(session: Session, message: WampMessage): void {
    const invocation = session.invocations.get(message[2] as number);
    if (invocation === undefined) return;
    this.#finish(invocation);
    invocation.caller.send(
      copyPayload(
        [T.ERROR, T.CALL, invocation.callId, message[3], message[4]],
        message,
        5,
      ),
    );
  }

  /** Handles CANCEL `[49, Request, Options]`. */
  cancel(session: Session, message: WampMessage): void {
    const mode = (message[2] as Dict).mode ?? "killnowait";
    if (typeof mode !== "string" || !CANCEL_MODES.has(mode)) {
      throw new ProtocolViolationError(
        'Invalid CANCEL: option "mode" must be "skip", "kill" or "killnowait"',
      );
    }
    const invocation = session.calls.get(message[1] as number);
    if (invocation === undefined) return;
    const canInterrupt = invocation.callee.calleeCanCancel && mode !== "skip";
    if (canInterrupt) {
      invocation.callee.send([T.INTERRUPT, invocation.id, { mode }]);
      if (mode === "kill") return;
    }
    this.#finish(invocation);
    session.sendError(
      T.CALL,
      invocation.callId,
      new WampError(WAMP_ERRORS.CANCELED, ["The call was canceled"]),
    );
  }

  /** Cleans up after a leaving session: its registrations and calls. */
  removeSession(session: Session): void {
    for (const invocation of [...session.invocations.values()]) {
      this.#finish(invocation);
      invocation.caller.sendError(
        T.CALL,
        invocation.callId,
        new WampError(WAMP_ERRORS.CANCELED, [
          "The callee disconnected from the in-flight call",
        ]),
      );
    }
    for (const invocation of [...session.calls.values()]) {
      this.#finish(invocation);
      if (invocation.callee.calleeCanCancel) {
        invocation.callee.send([T.INTERRUPT, invocation.id, {
          mode: "killnowait",
        }]);
      }
    }
    for (const registration of [...session.registrations]) {
      this.#drop(session, registration);
      this.#afterDrop(session, registration);
    }
  }

  /**
   * Removes callee `sessionId` from registration `id` (meta API), telling
   * it when it supports registration revocation.
   *
   * @throws {WampError} When there is no such registration or callee.
   */
  removeCallee(id: number, sessionId: number, reason?: string): void {
    const registration = this.getRegistration(id);
    const session = this.#realm.sessions.get(sessionId);
    if (session === undefined || !registration.callees.includes(session)) {
      throw new WampError(WAMP_ERRORS.NO_SUCH_SESSION, [
        `Session ${sessionId} is not a callee of registration ${id}`,
      ]);
    }
    this.#drop(session, registration);
    if (session.calleeRevocation) {
      session.send([T.UNREGISTERED, 0, {
        registration: id,
        ...(reason === undefined ? {} : { reason }),
      }]);
    }
    this.#afterDrop(session, registration);
  }

  /** Registration ids by match policy. */
  list(): PatternLists {
    return this.#registrations.list();
  }

  /** The registration for exactly (`uri`, `match`), if any. */
  lookup(uri: string, match: MatchPolicy): Registration | undefined {
    return this.#registrations.get(uri, match);
  }

  /** The registration a call to `procedure` would reach, if any. */
  find(procedure: string): Registration | undefined {
    return this.#registrations.best(procedure);
  }

  /**
   * The registration with `id`.
   *
   * @throws {WampError} `wamp.error.no_such_registration`.
   */
  getRegistration(id: unknown): Registration {
    const registration = this.#registrations.byId(id);
    if (registration === undefined) {
      throw new WampError(WAMP_ERRORS.NO_SUCH_REGISTRATION, [
        `No registration with id ${JSON.stringify(id)} exists on this realm`,
      ]);
    }
    return registration;
  }

  #callInternal(
    session: Session,
    message: WampMessage,
    procedure: InternalProcedure,
  ): void {
    const callId = message[1] as number;
    const args = Array.isArray(message[4]) ? message[4] : [];
    const kwargs = (message[5] ?? {}) as Dict;
    const reply = (value: unknown) => {
      if (!session.established) return;
      session.send(
        value === undefined
          ? [T.RESULT, callId, {}]
          : [T.RESULT, callId, {}, [value]],
      );
    };
    const fail = (error: unknown) => session.reportAsyncError(error, message);
    const result = procedure(session, args, kwargs);
    if (result instanceof Promise) result.then(reply, fail);
    else reply(result);
  }

  #timeout(invocation: Invocation): void {
    invocation.timer = undefined;
    this.#finish(invocation);
    if (invocation.callee.calleeCanCancel) {
      invocation.callee.send([T.INTERRUPT, invocation.id, {
        mode: "killnowait",
      }]);
    }
    invocation.caller.sendError(
      T.CALL,
      invocation.callId,
      new WampError(WAMP_ERRORS.TIMEOUT, ["The call timed out"]),
    );
  }

  #finish(invocation: Invocation): void {
    clearTimeout(invocation.timer);
    invocation.caller.calls.delete(invocation.callId);
    invocation.callee.invocations.delete(invocation.id);
  }

  #drop(session: Session, registration: Registration): void {
    const index = registration.callees.indexOf(session);
    if (index >= 0) registration.callees.splice(index, 1);
    session.registrations.delete(registration);
    if (registration.callees.length === 0) {
      this.#registrations.delete(registration);
    }
  }

  #afterDrop(session: Session, registration: Registration): void {
    this.#realm.meta.onUnregister(session, registration);
    if (registration.callees.length === 0) {
      this.#realm.meta.onRegistrationDelete(session, registration);
    }
  }
}
