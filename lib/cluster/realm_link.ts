/**
 * One realm joined to the cluster: it keeps every other member's view of
 * the realm (sessions, subscriptions, registrations), forwards events to
 * the members with matching subscribers, routes calls to callees on other
 * members and brings their results, progress and errors back, and answers
 * the meta API for the whole cluster.
 *
 * Local traffic stays local: an event goes over NATS only to members that
 * have a matching subscription, and a call only when the invocation policy
 * picks a callee elsewhere.
 *
 * @module
 */
import { WAMP_ERRORS, WampError } from "../wamp/errors.ts";
import {
  type CallMessage,
  type Dict,
  errorMessage,
  type IncomingMessage,
  MESSAGE_TYPES as T,
} from "../wamp/messages.ts";
import type { Realm, RealmBackplane, RealmMember } from "../wamp/realm.ts";
import type { Registration } from "../wamp/dealer.ts";
import type { RoutedRegistration } from "../wamp/routing.ts";
import type { InvokePolicy } from "../wamp/dealer.ts";
import type { WampMessage } from "../wamp/transport.ts";
import type { MatchPolicy } from "../wamp/uri.ts";
import { better, type Candidate, matches } from "./_match.ts";
import { installClusterMeta } from "./_meta.ts";
import { createProxy, isProxy } from "./_proxy.ts";
import { RealmView, type RemoteRegistration, type StateOp } from "./_view.ts";
import { joinOp, observeRealm, registerOp, subscribeOp } from "./_observe.ts";
import { RetainedEvents, type RetainedHost } from "./_retained.ts";

/** What a realm link needs from its cluster node. */
export interface LinkHost extends RetainedHost {
  /** This member's id. */
  readonly id: string;
  /** Whether NATS is up. */
  readonly connected: boolean;
  /** Sends a message to member `node`'s inbox. */
  send(node: string, message: unknown[]): void;
  /** Asks member `node` and resolves with its answer. */
  request(node: string, message: unknown[]): Promise<unknown>;
  /** Announces a change of this member's state. */
  changed(realm: string, op: StateOp): void;
}

const FILTER_KEYS = [
  "exclude",
  "exclude_authid",
  "exclude_authrole",
  "eligible",
  "eligible_authid",
  "eligible_authrole",
] as const;

interface RemoteCall {
  readonly caller: RealmMember;
  readonly callId: number;
  readonly node: string;
  readonly receiveProgress: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The stand-in for one remote caller (member, session and identity): one
 * realm member for all its calls here, so the dealer keeps its state
 * between calls instead of building and dropping a peer per call.
 */
interface RemoteCaller {
  readonly proxy: RealmMember;
  /** Its member. */
  readonly node: string;
  /** Its session id there. */
  readonly session: number;
  /** Call keys of its calls in progress here, by request id. */
  readonly calls: Map<number, string>;
  nextRequest: number;
}

/** Stand-ins without calls are dropped when there are more than this. */
const MAX_IDLE_CALLERS = 1024;

interface RegistrationIndex {
  readonly exact: Map<string, [string, RemoteRegistration][]>;
  readonly patterns: [string, RemoteRegistration][];
}

/** The cluster side of one realm. */
export class RealmLink implements RealmBackplane {
  /** The realm. */
  readonly realm: Realm;
  readonly #host: LinkHost;
  readonly #views = new Map<string, RealmView>();
  readonly #pending = new Map<string, RemoteCall>();
  /** Calls from other members in progress here, by `member/key`. */
  readonly #incoming = new Map<
    string,
    { readonly caller: RemoteCaller; readonly requestId: number }
  >();
  readonly #callers = new Map<string, RemoteCaller>();
  readonly #cursors = new Map<string, number>();
  readonly #publishers = new Map<string, RealmMember>();
  #index: RegistrationIndex | undefined;
  #localOnly = false;
  /** The realm's retained events, cluster-wide (`_retained.ts`). */
  readonly retained: RetainedEvents;
  #callSeq = 0;

  /**
   * @param realm The realm.
   * @param host The cluster node.
   */
  constructor(realm: Realm, host: LinkHost) {
    this.realm = realm;
    this.#host = host;
    this.retained = new RetainedEvents(realm, host);
    observeRealm(realm, (op) => this.#onLocalChange(op));
    if (realm.metaEnabled) installClusterMeta(realm, this);
  }

  // ---- state of the other members ---------------------------------------

  /** This member's current state of the realm, as operations. */
  snapshot(): StateOp[] {
    const ops: StateOp[] = [];
    for (const s of this.realm.sessions.values()) {
      if (!s.hidden) ops.push(joinOp(s));
    }
    const { broker, dealer } = this.realm;
    const subs = broker.list();
    for (const id of [...subs.exact, ...subs.prefix, ...subs.wildcard]) {
      const sub = broker.getSubscription(id);
      for (const s of sub.subscribers) {
        if (!isProxy(s)) ops.push(subscribeOp(sub, s));
      }
    }
    const regs = dealer.list();
    for (const id of [...regs.exact, ...regs.prefix, ...regs.wildcard]) {
      const reg = dealer.getRegistration(id);
      for (const s of reg.callees) ops.push(registerOp(reg, s));
    }
    return ops;
  }

  /** Applies member `node`'s change. */
  apply(node: string, op: StateOp): void {
    let view = this.#views.get(node);
    if (view === undefined) {
      view = new RealmView();
      this.#views.set(node, view);
    }
    view.apply(op);
    if (op[0] === "R" || op[0] === "D") this.#index = undefined;
    if (op[0] === "l") this.#dropCallers(node, op[1]);
    if (op[0] === "R") this.#settleConflict(node, view, op[1]);
  }

  /** Replaces member `node`'s whole view. */
  replace(node: string, ops: StateOp[]): void {
    if (!this.#views.has(node)) this.retained.fetch(node);
    const view = new RealmView();
    for (const op of ops) view.apply(op);
    this.#views.set(node, view);
    this.#index = undefined;
    for (const reg of view.registrations.values()) {
      this.#settleConflict(node, view, reg.id);
    }
  }

  /**
   * Member `node` is gone: its sessions leave (with meta events here),
   * calls pending on it fail, calls it made are cancelled.
   */
  dropNode(node: string, why: string): void {
    const view = this.#views.get(node);
    this.#views.delete(node);
    this.#index = undefined;
    this.retained.forget(node);
    for (const [key, call] of [...this.#pending]) {
      if (call.node !== node) continue;
      this.#finishCall(key, call);
      call.caller.send(
        errorMessage(
          T.CALL,
          call.callId,
          new WampError(WAMP_ERRORS.CANCELED, [
            `The callee's cluster member ${node} ${why} during the call`,
          ]),
        ),
      );
    }
    for (const { caller, requestId } of [...this.#incoming.values()]) {
      if (caller.node === node) {
        this.#cancelIncoming(caller, requestId, "killnowait");
      }
    }
    this.#dropCallers(node);
    if (view !== undefined) this.#emitDeparture(view);
  }

  /** Fails every call waiting on another member (NATS is down). */
  failPending(why: string): void {
    for (const [key, call] of [...this.#pending]) {
      this.#finishCall(key, call);
      call.caller.send(
        errorMessage(
          T.CALL,
          call.callId,
          new WampError(WAMP_ERRORS.CANCELED, [why]),
        ),
      );
    }
  }

  /** The other members' views (for the meta API and node info). */
  views(): ReadonlyMap<string, RealmView> {
    return this.#views;
  }

  // ---- RealmBackplane: hooks called by the broker and dealer -------------

  /** {@inheritDoc RealmBackplane.published} */
  published(
    session: RealmMember,
    topic: string,
    options: Dict,
    details: Dict,
    payload: unknown[],
  ): void {
    if (isProxy(session)) return;
    // A retained event goes to every member (each keeps it), stamped.
    const stamp = options.retain === true
      ? this.retained.published(
        topic,
        forwardedOptions(options),
        details,
        payload,
      )
      : undefined;
    if (this.#views.size === 0) return;
    let message: unknown[] | undefined;
    for (const [node, view] of this.#views) {
      if (stamp === undefined && !view.wants(topic)) continue;
      if (!this.#host.connected) return;
      message ??= [
        "ev",
        this.realm.name,
        topic,
        forwardedOptions(options),
        details,
        payload,
        ...(stamp === undefined ? [] : [stamp]),
      ];
      this.#host.send(node, message);
    }
  }

  /** {@inheritDoc RealmBackplane.publishedInternal} */
  publishedInternal(topic: string, args: unknown[], kwargs?: Dict): void {
    if (this.#localOnly || this.#views.size === 0) return;
    if (!this.#host.connected) return;
    let message: unknown[] | undefined;
    for (const [node, view] of this.#views) {
      if (!view.wants(topic)) continue;
      message ??= ["mi", this.realm.name, topic, args, kwargs ?? {}];
      this.#host.send(node, message);
    }
  }

  /** {@inheritDoc RealmBackplane.checkRegister} */
  checkRegister(
    session: RealmMember,
    uri: string,
    match: MatchPolicy,
    invoke: InvokePolicy,
  ): void {
    if (isProxy(session)) return;
    for (const view of this.#views.values()) {
      const reg = view.lookupRegistration(uri, match);
      if (reg === undefined) continue;
      if (reg.invoke === "single" || invoke === "single") {
        throw new WampError(WAMP_ERRORS.PROCEDURE_ALREADY_EXISTS, [
          `Procedure "${uri}" is already registered (on another cluster member)`,
        ]);
      }
      if (reg.invoke !== invoke) {
        throw new WampError(
          WAMP_ERRORS.PROCEDURE_EXISTS_INVOCATION_POLICY_CONFLICT,
          [
            `Procedure "${uri}" is registered with invocation policy "${reg.invoke}", not "${invoke}" (on another cluster member)`,
          ],
        );
      }
    }
  }

  /** {@inheritDoc RealmBackplane.routeCall} */
  routeCall(
    session: RealmMember,
    message: CallMessage,
    routed: RoutedRegistration<RealmMember> | undefined,
    disclose: boolean,
  ): boolean {
    if (this.#views.size === 0 || isProxy(session)) return false;
    const [, callId, options, procedure] = message;
    const local = routed && this.realm.dealer.lookup(routed.uri, routed.match);
    const node = this.#pickNode(procedure, local);
    if (node === undefined) return false;
    if (!this.#host.connected) {
      if (local !== undefined) return false;
      session.send(
        errorMessage(
          T.CALL,
          callId,
          new WampError(WAMP_ERRORS.CANCELED, [
            `Procedure "${procedure}" is registered on another cluster member, which cannot be reached: the NATS connection is down`,
          ]),
        ),
      );
      return true;
    }
    const receiveProgress = options.receive_progress === true;
    const key = `${session.id}/${callId}/${++this.#callSeq}`;
    const call: RemoteCall = {
      caller: session,
      callId,
      node,
      receiveProgress,
      timer: undefined,
    };
    const timeout = typeof options.timeout === "number" ? options.timeout : 0;
    if (timeout > 0) {
      call.timer = setTimeout(() => this.#timeout(key, call), timeout);
    }
    this.#pending.set(key, call);
    this.#host.send(node, [
      "call",
      this.realm.name,
      this.#host.id,
      key,
      procedure,
      { receive_progress: receiveProgress },
      [session.id, session.authid, session.authrole, disclose],
      message.slice(4),
    ]);
    return true;
  }

  /** {@inheritDoc RealmBackplane.cancel} */
  cancel(session: RealmMember, callId: number, mode: string): void {
    for (const [key, call] of this.#pending) {
      if (call.caller !== session || call.callId !== callId) continue;
      this.#sendCancel(call, key, mode);
      return;
    }
  }

  /** {@inheritDoc RealmBackplane.left} */
  left(session: RealmMember): void {
    if (this.#pending.size === 0) return;
    for (const [key, call] of [...this.#pending]) {
      if (call.caller !== session) continue;
      this.#finishCall(key, call);
      this.#sendCancel(call, key, "killnowait");
    }
  }

  // ---- messages from other members --------------------------------------

  /** An event published on another member (`stamp`: if retained). */
  deliverEvent(
    topic: string,
    options: Dict,
    details: Dict,
    payload: unknown[],
    stamp?: unknown,
  ): void {
    if (
      options.retain === true &&
      !this.retained.received(topic, stamp, options, details, payload)
    ) {
      // Older than the retained event kept here: deliver it, keep ours.
      options = { ...options, retain: false };
    }
    const proxy = this.#publisher(details);
    try {
      this.realm.deliver(
        proxy,
        [T.PUBLISH, 0, options, topic, ...payload] as IncomingMessage,
      );
    } catch (error) {
      this.realm.logger.warn(
        `Cluster: cannot deliver an event on "${topic}": ${
          (error as Error).message
        }`,
      );
    }
  }

  /** A router meta event from another member. */
  deliverInternal(topic: string, args: unknown[], kwargs: Dict): void {
    this.#local(() => this.realm.broker.publishInternal(topic, args, kwargs));
  }

  /** A call from a caller on member `from`. */
  invoke(
    from: string,
    key: string,
    procedure: string,
    options: Dict,
    identity: [number, string, string, boolean],
    payload: unknown[],
  ): void {
    const caller = this.#remoteCaller(from, identity);
    const requestId = ++caller.nextRequest;
    caller.calls.set(requestId, key);
    this.#incoming.set(`${from}/${key}`, { caller, requestId });
    try {
      this.realm.deliver(
        caller.proxy,
        [T.CALL, requestId, options, procedure, ...payload] as IncomingMessage,
      );
    } catch (error) {
      const wamp = error instanceof WampError
        ? error
        : new WampError(WAMP_ERRORS.RUNTIME_ERROR, [(error as Error).message]);
      caller.proxy.send(errorMessage(T.CALL, requestId, wamp));
    }
  }

  /** A caller on member `from` cancels its call. */
  cancelFrom(from: string, key: string, mode: string): void {
    const call = this.#incoming.get(`${from}/${key}`);
    if (call !== undefined) {
      this.#cancelIncoming(call.caller, call.requestId, mode);
    }
  }

  /** Answers a meta query from another member. */
  answerMeta(what: string, args: unknown[]): unknown {
    if (what === "session.get") {
      const session = this.realm.sessions.get(args[0] as number);
      return session === undefined || session.hidden ? null : session.details();
    }
    if (what === "session.kill") {
      // [field, value, reason, message]: field "session", "authid",
      // "authrole" or "all"; answers the ids of the sessions killed.
      const [field, value, reason, message] = args as [
        string,
        unknown,
        string,
        string | null,
      ];
      const victims = [...this.realm.sessions.values()].filter((s) =>
        !s.hidden && (field === "all" ||
          (field === "session" && s.id === value) ||
          (field === "authid" && s.authid === value) ||
          (field === "authrole" && s.authrole === value))
      );
      for (const s of victims) {
        if (message === null) s.shutdown(String(reason));
        else s.shutdown(String(reason), String(message));
      }
      return victims.map((s) => s.id);
    }
    return null;
  }

  /** Asks member `node` a meta query. */
  askMeta(node: string, what: string, args: unknown[]): Promise<unknown> {
    return this.#host.request(node, ["meta", this.realm.name, what, args]);
  }

  /** A result, progress or error for a call made here. */
  result(key: string, message: WampMessage): void {
    const call = this.#pending.get(key);
    if (call === undefined) return;
    if (message[0] === T.RESULT) {
      const details = (message[2] ?? {}) as Dict;
      if (details.progress === true) {
        if (call.receiveProgress) {
          call.caller.send([
            T.RESULT,
            call.callId,
            { progress: true },
            ...message.slice(3),
          ]);
        }
        return;
      }
      this.#finishCall(key, call);
      call.caller.send([T.RESULT, call.callId, {}, ...message.slice(3)]);
      return;
    }
    if (message[0] === T.ERROR) {
      this.#finishCall(key, call);
      call.caller.send([
        T.ERROR,
        T.CALL,
        call.callId,
        message[3] ?? {},
        message[4],
        ...message.slice(5),
      ]);
    }
  }

  // ---- internals ---------------------------------------------------------

  #onLocalChange(op: StateOp): void {
    this.#host.changed(this.realm.name, op);
  }

  /** A (cached) stand-in for the publisher named in `details`, if any. */
  #publisher(details: Dict): RealmMember {
    const disclosed = typeof details.publisher === "number";
    const key = disclosed
      ? `${details.publisher}|${details.publisher_authid}|${details.publisher_authrole}`
      : "";
    let proxy = this.#publishers.get(key);
    if (proxy === undefined) {
      if (this.#publishers.size >= 1000) this.#publishers.clear();
      proxy = createProxy(this.realm, {
        id: disclosed ? details.publisher as number : 0,
        authid: disclosed ? String(details.publisher_authid ?? "") : "",
        authrole: disclosed ? String(details.publisher_authrole ?? "") : "",
        disclose: disclosed,
      }, () => {});
      this.#publishers.set(key, proxy);
    }
    return proxy;
  }

  #local(action: () => void): void {
    this.#localOnly = true;
    try {
      action();
    } finally {
      this.#localOnly = false;
    }
  }

  #cancelIncoming(caller: RemoteCaller, requestId: number, mode: string): void {
    // The dealer answers the stand-in (now, or after the callee's error in
    // mode "kill"), which ends the call here.
    try {
      this.realm.deliver(caller.proxy, [T.CANCEL, requestId, { mode }]);
    } catch { /* the call is already over */ }
  }

  /** The stand-in for remote caller `identity` of member `from`. */
  #remoteCaller(
    from: string,
    identity: [number, string, string, boolean],
  ): RemoteCaller {
    const [session, authid, authrole, disclose] = identity;
    const id = `${from}|${session}|${authid}|${authrole}|${disclose}`;
    let caller = this.#callers.get(id);
    if (caller !== undefined) return caller;
    if (this.#callers.size >= MAX_IDLE_CALLERS) this.#dropCallers();
    const calls = new Map<number, string>();
    const proxy = createProxy(
      this.realm,
      { id: session, authid, authrole, disclose },
      (message) => {
        const type = message[0];
        const requestId = message[type === T.ERROR ? 2 : 1] as number;
        const key = calls.get(requestId);
        if (key === undefined) return;
        const final = type === T.ERROR ||
          (type === T.RESULT && (message[2] as Dict)?.progress !== true);
        if (final) {
          calls.delete(requestId);
          this.#incoming.delete(`${from}/${key}`);
        }
        this.#host.send(from, ["res", this.realm.name, key, message]);
      },
    );
    caller = { proxy, node: from, session, calls, nextRequest: 0 };
    this.#callers.set(id, caller);
    return caller;
  }

  /**
   * Forgets the stand-ins without calls in progress: of session `session`
   * of member `node`, of every session of `node`, or all of them.
   */
  #dropCallers(node?: string, session?: number): void {
    for (const [id, caller] of this.#callers) {
      if (node !== undefined && caller.node !== node) continue;
      if (session !== undefined && caller.session !== session) continue;
      if (caller.calls.size > 0) continue;
      this.#callers.delete(id);
      this.realm.dealer.removePeer(caller.proxy);
    }
  }

  #timeout(key: string, call: RemoteCall): void {
    call.timer = undefined;
    if (!this.#pending.has(key)) return;
    this.#finishCall(key, call);
    this.#sendCancel(call, key, "killnowait");
    call.caller.send(
      errorMessage(
        T.CALL,
        call.callId,
        new WampError(WAMP_ERRORS.TIMEOUT, ["The call timed out"]),
      ),
    );
  }

  #finishCall(key: string, call: RemoteCall): void {
    clearTimeout(call.timer);
    this.#pending.delete(key);
  }

  /** Asks the callee's member to cancel call `key` in `mode`. */
  #sendCancel(call: RemoteCall, key: string, mode: string): void {
    this.#host.send(call.node, [
      "cancel",
      this.realm.name,
      this.#host.id,
      key,
      mode,
    ]);
  }

  /**
   * The member whose callee should get a call to `procedure`, or
   * `undefined` for a local callee: the best match over the whole cluster,
   * then the invocation policy over all its callees.
   */
  #pickNode(
    procedure: string,
    local: Registration | undefined,
  ): string | undefined {
    const index = this.#index ??= this.#buildIndex();
    const exact = index.exact.get(procedure);
    if (exact === undefined && index.patterns.length === 0) return undefined;
    let best: Candidate | undefined = local;
    const remote: [string, RemoteRegistration][] = [];
    const consider = (node: string, reg: RemoteRegistration) => {
      if (best === undefined || better(reg, best)) {
        best = reg;
        remote.length = 0;
        remote.push([node, reg]);
      } else if (best.uri === reg.uri && best.match === reg.match) {
        remote.push([node, reg]);
      }
    };
    for (const [node, reg] of exact ?? []) consider(node, reg);
    if (index.patterns.length > 0) {
      const parts = procedure.split(".");
      for (const [node, reg] of index.patterns) {
        if (matches(reg, procedure, parts)) consider(node, reg);
      }
    }
    if (remote.length === 0) return undefined;
    const chosen = best as Candidate | undefined;
    const localCallees = local !== undefined && chosen !== undefined &&
        local.uri === chosen.uri && local.match === chosen.match
      ? local.callees.length
      : 0;
    return this.#applyPolicy(remote, local, localCallees);
  }

  /** Remote registrations by exact URI, and the pattern ones. */
  #buildIndex(): RegistrationIndex {
    const index: RegistrationIndex = { exact: new Map(), patterns: [] };
    for (const [node, view] of this.#views) {
      for (const reg of view.registrations.values()) {
        if (reg.match !== "exact") {
          index.patterns.push([node, reg]);
          continue;
        }
        let list = index.exact.get(reg.uri);
        if (list === undefined) index.exact.set(reg.uri, list = []);
        list.push([node, reg]);
      }
    }
    return index;
  }

  #applyPolicy(
    remote: [string, RemoteRegistration][],
    local: Registration | undefined,
    localCallees: number,
  ): string | undefined {
    const invoke = remote[0]![1].invoke;
    if (localCallees === 0 && remote.length === 1 && invoke === "single") {
      return remote[0]![0];
    }
    const total = localCallees +
      remote.reduce((n, [, reg]) => n + reg.callees.length, 0);
    const at = (index: number): string | undefined => {
      if (index < localCallees) return undefined;
      let i = index - localCallees;
      for (const [node, reg] of remote) {
        if (i < reg.callees.length) return node;
        i -= reg.callees.length;
      }
      return undefined;
    };
    switch (invoke) {
      case "roundrobin": {
        const key = `${remote[0]![1].match}:${remote[0]![1].uri}`;
        const next = (this.#cursors.get(key) ?? 0) % total;
        this.#cursors.set(key, next + 1);
        return at(next);
      }
      case "random":
        return at(Math.floor(Math.random() * total));
      default: {
        // single, first, last: by registration time over the cluster.
        const localTime = localCallees > 0 ? Date.parse(local!.created) : NaN;
        let pick: [string | undefined, number] = [undefined, localTime];
        for (const [node, reg] of remote) {
          const earlier = Number.isNaN(pick[1]) || reg.created < pick[1];
          const later = Number.isNaN(pick[1]) || reg.created > pick[1];
          if (invoke === "last" ? later : earlier) pick = [node, reg.created];
        }
        return pick[0];
      }
    }
  }

  /**
   * Two `single` (or clashing) registrations made at the same time on two
   * members: the later one (then the higher member id) is revoked here.
   */
  #settleConflict(node: string, view: RealmView, regId: number): void {
    const reg = view.registrations.get(regId);
    if (reg === undefined) return;
    const local = this.realm.dealer.lookup(reg.uri, reg.match);
    if (local === undefined) return;
    if (
      local.invoke !== "single" && reg.invoke !== "single" &&
      local.invoke === reg.invoke
    ) {
      return;
    }
    const localTime = Date.parse(local.created);
    const localLoses = localTime > reg.created ||
      (localTime === reg.created && this.#host.id > node);
    if (!localLoses) return;
    for (const callee of [...local.callees]) {
      try {
        this.realm.dealer.removeCallee(
          local.id,
          callee.id,
          "wamp.error.procedure_already_exists",
        );
      } catch { /* already gone */ }
    }
    this.realm.logger.warn(
      `Cluster: registration of "${reg.uri}" revoked here: member ${node} registered it first`,
    );
  }

  #emitDeparture(view: RealmView): void {
    if (!this.realm.metaEnabled) return;
    this.#local(() => {
      const broker = this.realm.broker;
      for (const reg of view.registrations.values()) {
        for (const callee of reg.callees) {
          broker.publishInternal("wamp.registration.on_unregister", [
            callee,
            reg.id,
          ]);
        }
        broker.publishInternal("wamp.registration.on_delete", [
          reg.callees[0] ?? 0,
          reg.id,
        ]);
      }
      for (const sub of view.subscriptions.values()) {
        for (const s of sub.subscribers) {
          broker.publishInternal("wamp.subscription.on_unsubscribe", [
            s,
            sub.id,
          ]);
        }
        broker.publishInternal("wamp.subscription.on_delete", [
          [...sub.subscribers][0] ?? 0,
          sub.id,
        ]);
      }
      for (const [id, [authid, authrole]] of view.sessions) {
        broker.publishInternal("wamp.session.on_leave", [id, authid, authrole]);
      }
    });
  }
}

/** The PUBLISH options another member needs: filters and retain. */
function forwardedOptions(options: Dict): Dict {
  // The publisher is never a subscriber over there.
  const out: Dict = { "exclude_me": false };
  for (const key of FILTER_KEYS) {
    if (options[key] !== undefined && options[key] !== null) {
      out[key] = options[key];
    }
  }
  if (options.retain === true) out.retain = true;
  return out;
}
